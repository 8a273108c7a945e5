"""Missed-message email, end to end: messages sent through the real routes, the job queued
by the send function, the real worker (pgqueuer) running it, and a real SMTP server
(aiosmtpd) catching what it sends. The delay is 1 s here (600 s by default)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from email.message import EmailMessage

import pytest

from server import keys
from server.config import Settings
from server.mail import Mailer
from server.messaging.missed import ENTRYPOINT, MissedMessageMailer
from server.worker import JobResources, Worker
from tests.messaging.test_system_lines import order_conversation, post
from tests.smtp import Inbox
from tests.waits import eventually, wait_for_lock_waiters

DELAY = 1.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app: a short delay (the send function reads it from its connection)."""
    return dataclasses.replace(settings, missed_message_email_delay_seconds=DELAY)


class RunningWorker:
    """The job host as `python -m server worker` runs it, on the test app's database, its
    mail going to the test's SMTP server; stopped and started at will."""

    def __init__(self, app, settings: Settings):
        self.resources = JobResources(app[keys.DB], app[keys.STORAGE], settings)
        self.worker: Worker | None = None
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.worker = Worker(self.resources.db.dsn, self.resources)
        self.task = asyncio.create_task(self.worker.run())
        await eventually(lambda: self.worker.manager is not None, what="the worker starts")

    async def stop(self) -> None:
        if self.worker is not None and self.task is not None:
            self.worker.stop()
            await asyncio.wait_for(self.task, 15)
            self.worker = self.task = None


@pytest.fixture
async def worker(client, settings: Settings, smtp: Inbox):
    running = RunningWorker(client.app, dataclasses.replace(settings, smtp_url=smtp.url))
    yield running
    await running.stop()


async def queued_jobs(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", ENTRYPOINT
        )


async def all_done(db) -> None:
    """Every missed-message job has run (pgqueuer deletes a finished job's row)."""

    async def none_left() -> bool:
        return await queued_jobs(db) == 0

    await eventually(none_left, what="the missed-message jobs to finish")


def text_of(message: EmailMessage) -> str:
    return message.get_content()


def link(message: EmailMessage, pattern: str) -> str:
    match = re.search(pattern, text_of(message))
    assert match, text_of(message)
    return match.group(0)


async def test_three_unread_messages_make_one_email_to_the_recipient_only(
    chat, pair, worker, smtp, db
):
    recruiter, candidate, conversation = pair
    await worker.start()
    for text in ("Hi Cam", "Are you free on Tuesday?", "We loved your application"):
        await chat.send(recruiter, conversation, text)

    await eventually(lambda: smtp.to(candidate.email), what="the email")
    await all_done(db)
    assert len(smtp.messages) == 1  # one email for the batch, none to the sender
    [mail] = smtp.to(candidate.email)
    assert "Rita Recruiter" in mail["Subject"] and "3 new messages" in mail["Subject"]
    body = text_of(mail)
    for text in ("Rita Recruiter: Hi Cam", "Are you free on Tuesday?", "We loved your"):
        assert text in body
    assert f"http://rizeos.test/messages?c={conversation['id']}" in body
    unsubscribe = link(mail, r"http://rizeos\.test/unsubscribe/\S+")
    assert mail["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_sender_name_with_line_separators_still_makes_a_valid_email(
    chat, pair, worker, smtp, db
):
    """Names refuse ASCII control characters, not U+2028 or U+0085, which an email header
    cannot hold either: the subject puts such a name on one line."""
    recruiter, candidate, conversation = pair
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE profiles SET full_name = $1 WHERE user_id = $2",
            "Rita\u2028Re\u0085cruiter",
            recruiter.id,
        )
    await worker.start()
    await chat.send(recruiter, conversation, "Hi Cam")
    await eventually(lambda: smtp.to(candidate.email), what="the email")
    [mail] = smtp.to(candidate.email)
    assert mail["Subject"] == "Rita Re cruiter sent you a new message on RizeOS"


async def test_a_long_batch_quotes_the_first_messages_and_counts_the_rest(
    chat, pair, worker, smtp, db
):
    recruiter, candidate, conversation = pair
    for n in range(8):
        await chat.send(recruiter, conversation, f"message {n}")
    await worker.start()
    await eventually(lambda: smtp.to(candidate.email), what="the email")
    body = text_of(smtp.to(candidate.email)[0])
    assert "message 4" in body and "message 5" not in body
    assert "and 3 more messages" in body


async def test_a_message_read_before_the_delay_sends_nothing(chat, pair, worker, smtp, db):
    recruiter, candidate, conversation = pair
    await worker.start()
    sent = await chat.send(recruiter, conversation, "Quick question")
    await chat.read(candidate, conversation, sent["seq"])
    await all_done(db)
    assert smtp.messages == []


async def test_a_muted_conversation_sends_nothing(api, chat, pair, worker, smtp, db):
    recruiter, candidate, conversation = pair
    await worker.start()
    await api.call("PUT", f"/api/conversations/{conversation['id']}/mute", as_=candidate)
    await chat.send(recruiter, conversation, "Muted hello")
    # muted before the send: no job at all; muted after: the job sends nothing
    await api.call("DELETE", f"/api/conversations/{conversation['id']}/mute", as_=candidate)
    await chat.send(recruiter, conversation, "Hello again")
    await api.call("PUT", f"/api/conversations/{conversation['id']}/mute", as_=candidate)
    await all_done(db)
    assert smtp.messages == []


async def test_the_setting_off_sends_nothing(api, chat, pair, worker, smtp, db):
    recruiter, candidate, conversation = pair
    await worker.start()
    off = {"missed_message_emails": False}
    await api.patch("/api/me/notification-settings", off, as_=candidate, expect=200)
    await chat.send(recruiter, conversation, "Hello")
    await all_done(db)
    assert smtp.messages == []


async def test_a_second_batch_is_mailed_with_only_the_new_messages(chat, pair, worker, smtp, db):
    recruiter, candidate, conversation = pair
    await worker.start()
    await chat.send(recruiter, conversation, "first batch")
    await eventually(lambda: smtp.to(candidate.email), what="the first email")
    await chat.send(recruiter, conversation, "second batch, one")
    await chat.send(recruiter, conversation, "second batch, two")
    await eventually(lambda: len(smtp.to(candidate.email)) == 2, what="the second email")
    await all_done(db)
    first, second = smtp.to(candidate.email)
    assert "first batch" in text_of(first)
    assert "first batch" not in text_of(second)
    assert "second batch, one" in text_of(second) and "second batch, two" in text_of(second)
    assert len(smtp.messages) == 2


async def test_the_job_survives_a_worker_restart(chat, pair, worker, smtp, db):
    recruiter, candidate, conversation = pair
    await worker.start()
    await chat.send(recruiter, conversation, "Sent while the worker runs")
    await worker.stop()  # before the delay is up
    assert smtp.messages == []

    async def due() -> bool:
        async with db.connection() as conn:
            return await conn.fetchval(
                "SELECT bool_and(execute_after < now()) FROM pgqueuer WHERE entrypoint = $1",
                ENTRYPOINT,
            )

    await eventually(due, what="the job to be due")
    assert smtp.messages == []  # nobody ran it while the worker was down
    await worker.start()
    await eventually(lambda: smtp.to(candidate.email), what="the email after the restart")
    await all_done(db)
    assert len(smtp.messages) == 1


async def test_a_job_delivered_twice_sends_once(chat, pair, worker, smtp, db, settings):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "Only once, please")
    # A second delivery of the same (user, conversation), queued beside the first one: the
    # worker may run both at once.
    payload = f'{{"user_id": "{candidate.id}", "conversation_id": "{conversation["id"]}"}}'.encode()
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)"
            " SELECT 0, $1, $2, execute_after, 'queued' FROM pgqueuer WHERE entrypoint = $1",
            ENTRYPOINT,
            payload,
        )
    assert await queued_jobs(db) == 2
    await worker.start()
    await eventually(lambda: smtp.to(candidate.email), what="the email")
    await all_done(db)
    assert len(smtp.messages) == 1
    # ... and a delivery of it again later, as after a crash before pgqueuer recorded it
    mailer = MissedMessageMailer(
        db, dataclasses.replace(settings, smtp_url=smtp.url), Mailer(smtp.url, "x@rizeos.test")
    )
    assert await mailer.deliver(None, payload) is False
    assert len(smtp.messages) == 1


async def test_an_unverified_recipient_gets_nothing(api, chat, pair, worker, smtp, db):
    recruiter, candidate, conversation = pair
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET is_verified = false WHERE id = $1", candidate.id)
    await worker.start()
    await chat.send(recruiter, conversation, "Hello")
    await all_done(db)
    assert smtp.messages == []


async def test_the_unsubscribe_link_works_without_logging_in(api, chat, pair, worker, smtp):
    recruiter, candidate, conversation = pair
    await worker.start()
    await chat.send(recruiter, conversation, "Hello")
    await eventually(lambda: smtp.to(candidate.email), what="the email")
    url = link(smtp.to(candidate.email)[0], r"http://rizeos\.test/unsubscribe/\S+")
    path = url.removeprefix("http://rizeos.test")

    page = await api.client.get(path)  # no cookie, no token
    assert page.status == 200
    html = await page.text()
    assert 'id="unsubscribe-form"' in html and 'method="post"' in html
    settings = await api.get("/api/me/notification-settings", as_=candidate)
    assert settings == {"missed_message_emails": True}  # GET changes nothing

    # RFC 8058: the mail client's one-click POST
    done = await api.client.post(path, data="List-Unsubscribe=One-Click")
    assert done.status == 200
    assert 'id="unsubscribed"' in await done.text()
    settings = await api.get("/api/me/notification-settings", as_=candidate)
    assert settings == {"missed_message_emails": False}


async def test_a_forged_unsubscribe_link_changes_nothing(api, pair):
    _, candidate, _ = pair
    forged = f"/unsubscribe/{uuid.uuid4().hex}.AAAAAAAAAAAAAAAAAAAAAA"
    page = await api.client.get(forged)
    assert page.status == 200 and "not valid" in await page.text()
    response = await api.client.post(forged, data="List-Unsubscribe=One-Click")
    assert response.status == 404
    settings = await api.get("/api/me/notification-settings", as_=candidate)
    assert settings == {"missed_message_emails": True}


async def test_the_link_in_the_email_opens_the_conversation(api, chat, pair, worker, smtp):
    recruiter, candidate, conversation = pair
    await worker.start()
    await chat.send(recruiter, conversation, "Open me")
    await eventually(lambda: smtp.to(candidate.email), what="the email")
    url = link(smtp.to(candidate.email)[0], r"http://rizeos\.test/messages\?c=\S+")
    response = await api.client.get(
        url.removeprefix("http://rizeos.test"),
        headers={"Cookie": f"rizeos_session={candidate.token}"},
    )
    assert response.status == 200
    assert f'data-conversation-id="{conversation["id"]}"' in await response.text()


async def test_a_send_in_flight_when_a_delivery_starts_is_in_its_email(
    chat, pair, smtp, db, settings
):
    """A send that found the job waiting (so queued no job of its own) and commits while the
    job's delivery starts: the delivery waits for it and mails its message too."""
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "first")
    async with db.connection() as conn:
        job_id, payload = await conn.fetchrow(
            "SELECT id, payload FROM pgqueuer WHERE entrypoint = $1", ENTRYPOINT
        )

    async def first_is_due() -> bool:
        async with db.connection() as conn:
            return await conn.fetchval(
                "SELECT bool_and(sent_at < now() - make_interval(secs => $1)) FROM messages",
                DELAY,
            )

    await eventually(first_is_due, what="the first message to wait the delay")
    mailer = MissedMessageMailer(db, settings, Mailer(smtp.url, "x@rizeos.test"))
    async with db.connection() as other:
        send = other.transaction()
        await send.start()
        await other.execute(
            "SELECT * FROM send_messages($1::uuid[], $2::uuid[], ARRAY['second'],"
            " ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY['in-flight'])",
            [uuid.UUID(conversation["id"])],
            [recruiter.id],
        )
        delivery = asyncio.ensure_future(mailer.deliver(job_id, payload))
        await wait_for_lock_waiters(other, 1)
        await send.commit()
        assert await delivery is True
    [mail] = smtp.to(candidate.email)
    assert "first" in text_of(mail) and "second" in text_of(mail)


async def test_system_lines_are_not_mailed(api, worker, smtp, db):
    """An order's transitions post system lines (issue 16); the order's notifications tell of
    those, so a missed-message email quotes and counts only what people wrote."""
    buyer = await api.sign_up(["professional"], full_name="Bea Buyer")
    seller = await api.sign_up(["freelancer"], full_name="Sam Seller")
    conversation_id = await order_conversation(db, buyer, seller)
    await post(db, conversation_id, buyer, "Bea Buyer ordered the Basic tier.", "created")
    path = f"/api/conversations/{conversation_id}/messages"
    await api.post(path, {"content": "Can you start today?"}, as_=buyer, expect=201)
    await post(db, conversation_id, buyer, "Bea Buyer cancelled the order.", "cancelled")
    await worker.start()
    await eventually(lambda: smtp.to(seller.email), what="the email")
    await all_done(db)
    [mail] = smtp.to(seller.email)
    assert mail["Subject"] == "Bea Buyer sent you a new message on RizeOS"
    body = text_of(mail)
    assert "Can you start today?" in body
    assert "ordered" not in body and "cancelled" not in body
    assert smtp.to(buyer.email) == []
