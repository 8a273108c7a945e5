"""Job alerts over REST: create, list (keyset), patch, delete; validation and ownership."""

from __future__ import annotations

import asyncio
import uuid

from server.job_alerts.service import MAX_ALERTS
from tests.waits import eventually, wait_for_lock_waiters


async def alert_rows(db) -> list[dict]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT * FROM job_alerts ORDER BY created_at")
    return [dict(r) for r in rows]


async def test_an_alert_is_stored_as_the_board_would_run_its_search(api, student, company):
    alert = await api.post(
        "/api/me/job-alerts",
        {
            "frequency": "instant",
            "q": "  backend  ",
            "skills": [" Python ", "python", "SQL"],
            "location": " Berlin ",
            "company_id": company["id"],
        },
        as_=student,
        expect=201,
    )
    assert alert["q"] == "backend"
    assert alert["skills"] == ["Python", "SQL"]  # trimmed, case-insensitive repeats dropped
    assert alert["location"] == "Berlin" and alert["skills_match"] == "all"
    assert alert["remote"] is None and alert["employment_type"] is None
    listed = await api.get("/api/me/job-alerts", as_=student, expect=200)
    assert listed["items"] == [alert]


async def test_patch_changes_only_the_fields_sent_and_null_clears_a_filter(api, student, db):
    alert = await api.post(
        "/api/me/job-alerts",
        {"frequency": "daily", "q": "designer", "remote": True},
        as_=student,
        expect=201,
    )
    path = f"/api/me/job-alerts/{alert['id']}"
    changed = await api.patch(path, {"remote": None, "frequency": "instant"}, as_=student)
    assert changed["q"] == "designer" and changed["remote"] is None
    assert changed["frequency"] == "instant"
    [row] = await alert_rows(db)
    assert row["match_keys"] == ["w:design"]  # the keys follow the search


async def test_alerts_page_newest_first(api, student):
    made = [
        await api.post("/api/me/job-alerts", {"frequency": "daily", "q": f"role{i}"}, as_=student)
        for i in range(5)
    ]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await api.get("/api/me/job-alerts", as_=student, params=params, expect=200)
        seen += page["items"]
        cursor = page["next"]
        if not cursor:
            break
    assert [a["id"] for a in seen] == [a["id"] for a in reversed(made)]


async def test_another_users_alert_is_not_found_and_stays(api, student, db):
    alert = await api.post("/api/me/job-alerts", {"frequency": "daily"}, as_=student)
    other = await api.sign_up()
    path = f"/api/me/job-alerts/{alert['id']}"
    await api.patch(path, {"q": "x"}, as_=other, expect=404)
    await api.delete(path, as_=other, expect=404)
    assert (await api.get("/api/me/job-alerts", as_=other))["items"] == []
    [row] = await alert_rows(db)
    assert row["q"] is None
    await api.delete(path, as_=student, expect=204)
    await api.delete(path, as_=student, expect=404)
    assert await alert_rows(db) == []


async def test_bad_input_names_the_field_and_stores_nothing(api, student, db):
    cases = [
        ({}, "frequency"),
        ({"frequency": "weekly"}, "frequency"),
        ({"frequency": "daily", "skills_match": "some"}, "skills_match"),
        ({"frequency": "daily", "employment_type": "gig"}, "employment_type"),
        ({"frequency": "daily", "skills": ["  "]}, "skills"),
        ({"frequency": "daily", "company_id": str(uuid.uuid4())}, "company_id"),
        ({"frequency": "daily", "status": "closed"}, "status"),
        ({"frequency": "daily", "q": "x" * 201}, "q"),
    ]
    for body, field in cases:
        problem = await api.post("/api/me/job-alerts", body, as_=student, expect=422)
        assert field in str(problem), (body, problem)
    alert = await api.post("/api/me/job-alerts", {"frequency": "daily"}, as_=student)
    await api.patch(
        f"/api/me/job-alerts/{alert['id']}", {"frequency": "hourly"}, as_=student, expect=422
    )
    await api.patch(f"/api/me/job-alerts/{uuid.uuid4()}", {}, as_=student, expect=404)
    await api.post("/api/me/job-alerts", {"frequency": "daily"}, expect=401)
    unverified = await api.sign_up(verified=False)
    await api.post("/api/me/job-alerts", {"frequency": "daily"}, as_=unverified, expect=403)
    rows = await alert_rows(db)
    assert len(rows) == 1 and rows[0]["frequency"] == "daily"


async def test_a_user_may_keep_at_most_fifty_alerts(api, student, db):
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO job_alerts (user_id, frequency, match_keys)"
            " SELECT $1, 'daily', '{*}' FROM generate_series(1, $2)",
            student.id,
            MAX_ALERTS,
        )
    problem = await api.post("/api/me/job-alerts", {"frequency": "daily"}, as_=student, expect=409)
    assert "50" in problem["detail"]
    assert len(await alert_rows(db)) == MAX_ALERTS


async def test_a_create_waits_for_a_concurrent_one_and_stops_at_fifty(api, student, db):
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO job_alerts (user_id, frequency, match_keys)"
            " SELECT $1, 'daily', '{*}' FROM generate_series(1, $2)",
            student.id,
            MAX_ALERTS - 1,
        )
    async with db.connection() as other, db.connection() as watcher:
        creating = other.transaction()  # another create of this user's, mid-way: the 50th
        await creating.start()
        await db.q.job_alerts.lock_job_alert_owner(other, user_id=student.id)
        await other.execute(
            "INSERT INTO job_alerts (user_id, frequency, match_keys) VALUES ($1, 'daily', '{*}')",
            student.id,
        )
        post = asyncio.create_task(
            api.call("POST", "/api/me/job-alerts", as_=student, json={"frequency": "daily"})
        )

        async def waiting_or_done() -> bool:
            await watcher.execute("SELECT pg_stat_clear_snapshot()")
            return post.done() or await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )

        await eventually(waiting_or_done, what="the second create to wait or finish")
        await creating.commit()
        problem = await post
    assert len(await alert_rows(db)) == MAX_ALERTS
    assert "50" in problem["detail"]


async def test_a_patch_racing_a_delete_is_not_found(api, student, db):
    alert = await api.post("/api/me/job-alerts", {"frequency": "daily", "q": "x"}, as_=student)
    async with db.connection() as deleter, db.connection() as watcher:
        deleting = deleter.transaction()
        await deleting.start()
        await deleter.execute("DELETE FROM job_alerts WHERE id = $1", uuid.UUID(alert["id"]))
        patch = asyncio.create_task(
            api.patch(f"/api/me/job-alerts/{alert['id']}", {"q": "y"}, as_=student, expect=404)
        )
        await wait_for_lock_waiters(watcher, 1)
        await deleting.commit()
        problem = await patch
    assert problem["detail"] == "no such job alert"


async def test_editing_a_daily_alert_does_not_undo_an_unsubscribe(api, student, db):
    alert = await api.post("/api/me/job-alerts", {"frequency": "daily", "q": "x"}, as_=student)
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET job_alert_emails = FALSE WHERE id = $1", student.id)
    await api.patch(f"/api/me/job-alerts/{alert['id']}", {"q": "nurse"}, as_=student)

    async def emails() -> bool:
        async with db.connection() as conn:
            return await conn.fetchval(
                "SELECT job_alert_emails FROM users WHERE id = $1", student.id
            )

    assert not await emails()
    await api.patch(f"/api/me/job-alerts/{alert['id']}", {"frequency": "daily"}, as_=student)
    assert await emails()
