"""Delivery of job alerts end to end: jobs posted through the real routes queue matching in
their own transaction, the real worker (pgqueuer) runs it, instant matches arrive live on
/notifications and daily ones in one digest email caught by a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from datetime import timedelta

from server import keys
from server.db import fetch_all
from server.job_alerts.digest import DigestMailer
from server.job_alerts.matching import AlertMatcher, queue_digests
from server.mail import Mailer
from tests.job_alerts.conftest import matched
from tests.notifications.conftest import Inbox, stored
from tests.sockets import connect_socket
from tests.waits import eventually, wait_for_lock_waiters

NS = "/notifications"


async def live_inbox(client, user) -> Inbox:
    url = str(client.make_url("/")).rstrip("/")
    return Inbox(await connect_socket(url, user.token, [NS]))


async def alert(api, user, **search) -> dict:
    return await api.post("/api/me/job-alerts", search, as_=user, expect=201)


async def digest_jobs(db, user_id=None) -> list:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT id, execute_after, status FROM pgqueuer WHERE entrypoint = 'job_alert_digest'"
            " AND ($1::UUID IS NULL OR dedupe_key = 'job_alert_digest:' || $1::UUID)",
            user_id,
        )


async def digests_done(db) -> None:
    async def none_left() -> bool:
        return not await digest_jobs(db)

    await eventually(none_left, what="the digest jobs to finish")


async def test_an_instant_alert_reaches_its_owner_live_once(
    api, client, db, worker, employer, company, student
):
    await alert(api, student, frequency="instant", skills=["Python"])
    await alert(api, student, frequency="instant", q="python")  # two alerts, one notification
    bystander = await api.sign_up()
    await alert(api, bystander, frequency="instant", skills=["Cobol"])
    inbox = await live_inbox(client, student)
    await worker.start()
    try:
        job = await api.job(employer, company["id"], title="Python Intern", location="Pune")
        event, data = await inbox.next()
        assert event == "job_alert.match"
        assert set(data) == {"id", "type", "payload", "created_at", "read_at"}
        assert data["payload"] == {
            "job": {
                "id": job["id"],
                "title": "Python Intern",
                "company_name": "Acme Corp",
                "location": "Pune",
                "remote": False,
                "employment_type": "internship",
            },
        }
        # Closed and reopened: matched again, but this alert already had this job.
        await api.post(f"/api/jobs/{job['id']}/close", as_=employer, expect=200)
        await api.post(f"/api/jobs/{job['id']}/reopen", as_=employer, expect=200)
        await matched(db)
    finally:
        await inbox.close()
    assert [n["type"] for n in await stored(api, student)] == ["job_alert.match"]
    assert await stored(api, bystander) == []


async def test_a_match_run_twice_sends_once(api, client, db, employer, company, student):
    await alert(api, student, frequency="instant", q="designer")
    await alert(api, student, frequency="daily", q="designer")
    job = await api.job(employer, company["id"], title="Product Designer")
    matcher = AlertMatcher(db, client.app[keys.SETTINGS])
    assert await matcher.match(uuid.UUID(job["id"])) == 2
    assert await matcher.match(uuid.UUID(job["id"])) == 0  # a redelivered job
    assert len(await stored(api, student)) == 1
    assert len(await digest_jobs(db, student.id)) == 1


async def test_a_deleted_alert_sends_nothing_more(
    api, client, db, worker, smtp, employer, company, student
):
    instant = await alert(api, student, frequency="instant", q="analyst")
    daily = await alert(api, student, frequency="daily", q="analyst")
    # Queued while no worker runs; the instant alert is deleted before it runs.
    first = await api.job(employer, company["id"], title="Data Analyst")
    await api.delete(f"/api/me/job-alerts/{instant['id']}", as_=student, expect=204)
    # The daily one matches, then is deleted before its digest is due.
    await AlertMatcher(db, client.app[keys.SETTINGS]).match(uuid.UUID(first["id"]))
    await api.delete(f"/api/me/job-alerts/{daily['id']}", as_=student, expect=204)
    await worker.start()
    await matched(db)
    await digests_done(db)
    assert await stored(api, student) == []
    assert smtp.to(student.email) == []
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM job_alert_matches") == 0


async def test_the_daily_digest_is_one_email_with_each_job_once_and_unsubscribes_in_one_click(
    api, client, db, worker, smtp, employer, company, student
):
    await alert(api, student, frequency="daily", q="engineer")
    await alert(api, student, frequency="daily", skills=["Go"])
    other = await api.sign_up()
    await alert(api, other, frequency="daily", q="engineer")
    matcher = AlertMatcher(db, client.app[keys.SETTINGS])
    titles = ["Go Engineer", "Platform Engineer", "Gopher", "Accountant"]
    skills = [["Go"], ["Rust"], ["go"], ["Excel"]]
    for title, job_skills in zip(titles, skills, strict=True):
        job = await api.job(employer, company["id"], title=title, skills_required=job_skills)
        await matcher.match(uuid.UUID(job["id"]))
    assert len(await digest_jobs(db, student.id)) == 1  # one waiting per user

    await worker.start()
    await eventually(lambda: smtp.to(student.email) and smtp.to(other.email), what="digests")
    await digests_done(db)
    [mail] = smtp.to(student.email)
    assert mail["Subject"] == "3 new jobs matching your alerts on RizeOS"
    body = mail.get_content()
    for title in ("Go Engineer", "Platform Engineer", "Gopher"):
        assert body.count(f"{title} at Acme Corp") == 1  # "Go Engineer" matched two alerts
    assert "Accountant" not in body
    unsubscribe = re.search(r"http://rizeos\.test(/unsubscribe/job-alerts/\S+)", body)
    assert unsubscribe, body
    assert mail["List-Unsubscribe"] == f"<http://rizeos.test{unsubscribe.group(1)}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(smtp.to(other.email)) == 1

    # What a mail client's one-click POST does: no session, the token is the credential.
    response = await client.post(unsubscribe.group(1), data={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    tampered = await client.post(unsubscribe.group(1)[:-2] + "xx", data={})
    assert tampered.status == 404
    job = await api.job(employer, company["id"], title="Staff Engineer")
    await matched(db)
    await digests_done(db)
    assert len(smtp.to(student.email)) == 1  # unsubscribed: no second email
    assert len(smtp.to(other.email)) == 2  # the other user's digest is theirs to stop
    assert job["id"]


async def test_a_digest_delivered_twice_mails_once(
    api, client, db, smtp, employer, company, student
):
    await alert(api, student, frequency="daily", q="nurse")
    job = await api.job(employer, company["id"], title="Night Nurse")
    settings = dataclasses.replace(client.app[keys.SETTINGS], smtp_url=smtp.url)
    await AlertMatcher(db, settings).match(uuid.UUID(job["id"]))
    mailer = DigestMailer(db, settings, Mailer(settings.smtp_url, settings.mail_from))
    payload = f'{{"user_id": "{student.id}"}}'.encode()
    assert await mailer.deliver(None, payload) is True
    assert await mailer.deliver(None, payload) is False
    assert len(smtp.to(student.email)) == 1


async def test_a_digest_waits_for_the_digest_hour_one_per_user(
    api, client, db, employer, company, student
):
    settings = dataclasses.replace(
        client.app[keys.SETTINGS], job_alert_digest_interval_seconds=86400.0
    )
    await alert(api, student, frequency="daily")
    matcher = AlertMatcher(db, settings)
    for title in ("One", "Two", "Three"):
        job = await api.job(employer, company["id"], title=title)
        await matcher.match(uuid.UUID(job["id"]))
    [queued] = await digest_jobs(db, student.id)
    due = queued["execute_after"]
    assert (due.hour, due.minute, due.second) == (settings.job_alert_digest_hour, 0, 0)
    async with db.connection() as conn:  # pgqueuer compares with the database's clock
        assert timedelta(0) < due - await conn.fetchval("SELECT now()") <= timedelta(days=1)


async def test_a_match_straddling_the_start_of_its_digest_is_in_that_digest(
    api, client, db, smtp, employer, company, student
):
    """The digest job is picked (its dedupe key still held) while a match run has recorded a
    pending row and scheduled (a no-op on the held key) but not committed: the digest waits
    for that commit and mails the row, rather than leaving it with no digest job."""
    await alert(api, student, frequency="daily", q="nurse")
    settings = dataclasses.replace(client.app[keys.SETTINGS], smtp_url=smtp.url)
    day = await api.job(employer, company["id"], title="Day Nurse")
    await AlertMatcher(db, settings).match(uuid.UUID(day["id"]))
    async with db.connection() as conn:
        digest_job = await conn.fetchval(
            "UPDATE pgqueuer SET status = 'picked' WHERE entrypoint = 'job_alert_digest'"
            " RETURNING id"
        )
    night = await api.job(employer, company["id"], title="Night Nurse")
    mailer = DigestMailer(db, settings, Mailer(settings.smtp_url, settings.mail_from))
    payload = f'{{"user_id": "{student.id}"}}'.encode()
    async with db.connection() as watcher:
        async with db.transaction() as tx:  # the match run of the night job, mid-way
            record = db.q.job_alerts.record_job_alert_matches
            rows = await fetch_all(record, tx.conn, job_id=uuid.UUID(night["id"]))
            assert [r["user_id"] for r in rows] == [student.id]
            await queue_digests(db, tx.conn, settings, [student.id])
            delivering = asyncio.create_task(mailer.deliver(digest_job, payload))
            await wait_for_lock_waiters(watcher, 1)
        assert await delivering is True
    [mail] = smtp.to(student.email)
    assert "Day Nurse" in mail.get_content() and "Night Nurse" in mail.get_content()
    async with db.connection() as conn:
        pending = "SELECT count(*) FROM job_alert_matches WHERE digest_pending"
        assert not await conn.fetchval(pending)


async def test_a_digest_that_reads_its_limit_queues_the_next_for_the_rest(
    api, client, db, smtp, employer, company, student
):
    await alert(api, student, frequency="daily", q="nurse")
    settings = dataclasses.replace(client.app[keys.SETTINGS], smtp_url=smtp.url)
    matcher = AlertMatcher(db, settings)
    for title in ("Day Nurse", "Night Nurse"):
        job = await api.job(employer, company["id"], title=title)
        await matcher.match(uuid.UUID(job["id"]))
    [first] = await digest_jobs(db, student.id)
    mailer = DigestMailer(db, settings, Mailer(settings.smtp_url, settings.mail_from), 1)
    payload = f'{{"user_id": "{student.id}"}}'.encode()
    assert await mailer.deliver(first["id"], payload) is True
    async with db.connection() as conn:
        await conn.execute("DELETE FROM pgqueuer WHERE id = $1", first["id"])  # done
    [second] = await digest_jobs(db, student.id)
    assert second["id"] != first["id"]
    assert await mailer.deliver(second["id"], payload) is True
    first_mail, second_mail = smtp.to(student.email)
    assert "Day Nurse" in first_mail.get_content() and "Night" not in first_mail.get_content()
    assert "Night Nurse" in second_mail.get_content()


async def test_a_match_queued_before_a_worker_restart_still_runs(
    api, client, db, worker, employer, company, student
):
    await alert(api, student, frequency="instant", q="welder")
    await worker.start()
    await worker.stop()
    job = await api.job(employer, company["id"], title="Welder")  # queued, nobody running
    async with db.connection() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'job_alert_match'"
            )
            == 1
        )
    await worker.start()
    await matched(db)
    [notification] = await stored(api, student)
    assert notification["payload"]["job"]["id"] == job["id"]


async def test_the_unsubscribe_page_confirms_before_it_unsubscribes(api, client, student, db):
    from server.job_alerts.unsubscribe import digest_unsubscribe_token

    token = digest_unsubscribe_token(client.app[keys.SETTINGS].secret_key, student.id)
    page = await client.get(f"/unsubscribe/job-alerts/{token}")
    assert page.status == 200 and 'id="unsubscribe-form"' in await page.text()
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT job_alert_emails FROM users WHERE id = $1", student.id)
    bad = await client.get("/unsubscribe/job-alerts/not.valid")
    assert "not valid" in await bad.text()
