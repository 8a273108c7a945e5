"""Saved jobs over REST: idempotent PUT and DELETE, keyset paging, closed jobs, refusals."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.client import User
from tests.waits import wait_for_lock_waiters


@pytest.fixture
async def employer(api) -> User:
    return await api.sign_up(["employer"])


@pytest.fixture
async def company(api, employer) -> dict:
    return await api.company(employer)


async def saved_rows(db, user: User) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM saved_jobs WHERE user_id = $1", user.id)


async def test_saving_twice_keeps_the_first_time_and_unsaving_twice_is_fine(
    api, employer, company, db
):
    student = await api.sign_up()
    job = await api.job(employer, company["id"])
    path = f"/api/me/saved-jobs/{job['id']}"
    first = await api.call("PUT", path, as_=student, expect=200)
    again = await api.call("PUT", path, as_=student, expect=200)
    assert first == again and first["job_id"] == job["id"]
    assert await saved_rows(db, student) == 1

    await api.delete(path, as_=student, expect=204)
    await api.delete(path, as_=student, expect=204)
    assert await saved_rows(db, student) == 0
    assert (await api.get("/api/me/saved-jobs", as_=student, expect=200))["items"] == []


async def test_a_save_racing_another_returns_the_first_saved_at(api, employer, company, db):
    student = await api.sign_up()
    job = await api.job(employer, company["id"])
    async with db.connection() as other, db.connection() as watcher:
        saving = other.transaction()
        await saving.start()
        saved_at = await other.fetchval(
            "INSERT INTO saved_jobs (user_id, job_id) VALUES ($1, $2) RETURNING saved_at",
            student.id,
            uuid.UUID(job["id"]),
        )
        put = asyncio.create_task(
            api.call("PUT", f"/api/me/saved-jobs/{job['id']}", as_=student, expect=200)
        )
        await wait_for_lock_waiters(watcher, 1)
        await saving.commit()
        state = await put
    assert state["saved_at"] is not None
    got = await api.get("/api/me/saved-jobs", as_=student)
    assert [item["saved_at"] for item in got["items"]] == [state["saved_at"]]
    assert saved_at is not None


async def test_saved_list_pages_newest_first_and_shows_closed_jobs_as_closed(
    api, employer, company
):
    student = await api.sign_up()
    jobs = [await api.job(employer, company["id"], title=f"Job {i}") for i in range(5)]
    for job in jobs:
        await api.call("PUT", f"/api/me/saved-jobs/{job['id']}", as_=student, expect=200)
    await api.post(f"/api/jobs/{jobs[0]['id']}/close", as_=employer, expect=200)

    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await api.get("/api/me/saved-jobs", as_=student, params=params, expect=200)
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    assert [item["job"]["title"] for item in seen] == [f"Job {i}" for i in reversed(range(5))]
    statuses = {item["job"]["title"]: item["job"]["status"] for item in seen}
    assert statuses["Job 0"] == "closed" and statuses["Job 1"] == "open"


async def test_saved_jobs_are_private_to_their_user(api, employer, company):
    alice, bob = await api.sign_up(), await api.sign_up()
    job = await api.job(employer, company["id"])
    await api.call("PUT", f"/api/me/saved-jobs/{job['id']}", as_=alice, expect=200)
    assert (await api.get("/api/me/saved-jobs", as_=bob, expect=200))["items"] == []
    await api.delete(f"/api/me/saved-jobs/{job['id']}", as_=bob, expect=204)
    assert len((await api.get("/api/me/saved-jobs", as_=alice, expect=200))["items"]) == 1


async def test_refusals_name_the_problem_and_change_nothing(api, employer, company, db):
    student = await api.sign_up()
    job = await api.job(employer, company["id"])
    await api.call("PUT", f"/api/me/saved-jobs/{job['id']}", expect=401)
    await api.get("/api/me/saved-jobs", expect=401)
    unverified = await api.sign_up(verified=False)
    await api.call("PUT", f"/api/me/saved-jobs/{job['id']}", as_=unverified, expect=403)
    await api.call("PUT", f"/api/me/saved-jobs/{uuid.uuid4()}", as_=student, expect=404)
    await api.call("PUT", "/api/me/saved-jobs/not-a-uuid", as_=student, expect=404)
    problem = await api.get("/api/me/saved-jobs", as_=student, params={"limit": 0}, expect=422)
    assert "limit" in str(problem)
    await api.get("/api/me/saved-jobs", as_=student, params={"cursor": "bad"}, expect=400)
    assert await saved_rows(db, student) == 0
