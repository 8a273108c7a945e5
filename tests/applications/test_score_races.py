"""The stored match score (job_applications.match_score) under concurrent edits, and bulk
moves against job edits (issue 15, item 4). Each test holds one side's transaction open on a
connection of its own, starts the other side through the API, waits until PostgreSQL shows
it waiting on a lock (or finished, where it used not to wait), commits, and then compares
every stored score with the one computed from the committed job and profile."""

from __future__ import annotations

import asyncio
import logging
import uuid

from tests.applications.conftest import give_profile
from tests.applications.test_triage import assert_stored_scores_are_fresh
from tests.waits import eventually, wait_for_lock_waiters

# The "Backend Intern" job asks for python and postgresql (tests/builders.py).
PYTHON_ONLY = {"claimed": ["Python"], "verified": []}
BOTH_VERIFIED = {"claimed": ["Python", "PostgreSQL"], "verified": ["Python", "PostgreSQL"]}


async def lock_waiters(conn) -> int:
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    return await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )


async def waits_or_finishes(monitor, task: asyncio.Task) -> None:
    """The other side either waits on our lock (the fix) or has already finished (it did
    not wait: the race the test catches when its score is then compared)."""

    async def settled() -> bool:
        return task.done() or await lock_waiters(monitor) == 1

    await eventually(settled, what="the concurrent edit waiting on a lock or finishing")


async def candidate_who_applied(api, db, hiring, skills=PYTHON_ONLY):
    user = await api.sign_up(["student"])
    await give_profile(db, user, skills=skills)
    application = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications", {}, as_=user, expect=201
    )
    return user, application


async def test_a_job_edit_during_a_profile_edit_scores_with_the_new_profile(api, db, hiring):
    user, _ = await candidate_who_applied(api, db, hiring)
    await candidate_who_applied(api, db, hiring)  # a bystander the job edit rescores too
    async with db.connection() as profile_edit, db.connection() as monitor:
        transaction = profile_edit.transaction()
        await transaction.start()
        await profile_edit.execute(
            "UPDATE profiles SET skills = $2 WHERE user_id = $1", user.id, BOTH_VERIFIED
        )
        job_edit = asyncio.create_task(
            api.patch(
                f"/api/jobs/{hiring.job['id']}",
                {"skills_required": ["python", "postgresql", "go"]},
                as_=hiring.admin,
                expect=200,
            )
        )
        await wait_for_lock_waiters(monitor, 1)
        await transaction.commit()
        await job_edit
    await assert_stored_scores_are_fresh(api, db, hiring.admin, hiring.job["id"])


async def test_a_profile_edit_during_a_job_edit_scores_with_the_new_job(api, db, hiring):
    user, _ = await candidate_who_applied(api, db, hiring)
    async with db.connection() as job_edit, db.connection() as monitor:
        transaction = job_edit.transaction()
        await transaction.start()
        await job_edit.execute(
            "UPDATE jobs SET skills_required = '{python,go}' WHERE id = $1",
            uuid.UUID(hiring.job["id"]),
        )
        profile_edit = asyncio.create_task(
            api.patch(
                f"/api/profiles/{user.id}",
                {"skills": {"claimed": ["Python", "Go"]}},
                as_=user,
                expect=200,
            )
        )
        await waits_or_finishes(monitor, profile_edit)
        await transaction.commit()
        await profile_edit
    await assert_stored_scores_are_fresh(api, db, hiring.admin, hiring.job["id"])


async def test_applying_during_a_profile_edit_scores_with_the_new_profile(api, db, hiring):
    user = await api.sign_up(["student"])
    await give_profile(db, user, skills={"claimed": [], "verified": []})
    async with db.connection() as profile_edit, db.connection() as monitor:
        transaction = profile_edit.transaction()
        await transaction.start()
        await profile_edit.execute(
            "UPDATE profiles SET skills = $2 WHERE user_id = $1", user.id, BOTH_VERIFIED
        )
        applying = asyncio.create_task(
            api.post(f"/api/jobs/{hiring.job['id']}/applications", {}, as_=user, expect=201)
        )
        await waits_or_finishes(monitor, applying)
        await transaction.commit()
        await applying
    await assert_stored_scores_are_fresh(api, db, hiring.admin, hiring.job["id"])


async def test_a_profile_edit_during_an_application_rescores_it(api, db, hiring):
    """The reviewer's race.py: the application is inserted (scored with the empty profile),
    the profile gains the job's skills before the application commits."""
    user = await api.sign_up(["student"])
    await give_profile(db, user, skills={"claimed": [], "verified": []})
    async with db.connection() as applying, db.connection() as monitor:
        transaction = applying.transaction()
        await transaction.start()
        await applying.execute(
            "INSERT INTO job_applications (job_id, candidate_id) VALUES ($1, $2)",
            uuid.UUID(hiring.job["id"]),
            user.id,
        )
        profile_edit = asyncio.create_task(
            api.patch(
                f"/api/profiles/{user.id}",
                {"skills": {"claimed": ["Python", "PostgreSQL"]}},
                as_=user,
                expect=200,
            )
        )
        await waits_or_finishes(monitor, profile_edit)
        await transaction.commit()
        await profile_edit
    await assert_stored_scores_are_fresh(api, db, hiring.admin, hiring.job["id"])


async def waiting_on(monitor) -> list[str]:
    """The tables whose row a lock waiter of this database is queued for (the tuple lock
    it holds while waiting for the row's holder)."""
    rows = await monitor.fetch(
        "SELECT l.relation::regclass::text AS rel FROM pg_locks l"
        " JOIN pg_stat_activity s ON s.pid = l.pid"
        " WHERE s.datname = current_database() AND s.wait_event_type = 'Lock'"
        " AND l.locktype = 'tuple'"
    )
    return [r["rel"] for r in rows]


async def test_a_bulk_move_queues_behind_a_job_edit_on_the_job_row(api, db, hiring):
    """deadlock.py: a job edit locks the job and then rescores its applications; a bulk move
    that locked applications first could hold one the edit needs while waiting for another
    the edit holds. It takes the job's row first, so it waits there, holding nothing."""
    made = [await candidate_who_applied(api, db, hiring) for _ in range(3)]
    ids = [a["id"] for _, a in made]
    async with db.connection() as job_edit, db.connection() as monitor:
        transaction = job_edit.transaction()
        await transaction.start()
        # every score changes: the edit holds every application row
        await job_edit.execute(
            "UPDATE jobs SET skills_required = '{go}' WHERE id = $1",
            uuid.UUID(hiring.job["id"]),
        )
        bulk = asyncio.create_task(
            api.post(
                f"/api/jobs/{hiring.job['id']}/applications/status",
                {"application_ids": ids, "status": "viewed"},
                as_=hiring.admin,
                expect=200,
            )
        )
        await wait_for_lock_waiters(monitor, 1)
        assert await waiting_on(monitor) == ["jobs"]
        await transaction.commit()
        result = await bulk
    assert sorted(m["application_id"] for m in result["moved"]) == sorted(ids)
    await assert_stored_scores_are_fresh(api, db, hiring.admin, hiring.job["id"])


async def test_a_bulk_move_chosen_as_deadlock_victim_is_retried(api, db, hiring, caplog):
    """Some other writer locks an application and then the job (the opposite order): the
    bulk move PostgreSQL aborts to break the deadlock runs again, and succeeds."""
    made = [(await candidate_who_applied(api, db, hiring))[1]["id"] for _ in range(2)]
    first, last = sorted(made)
    caplog.set_level(logging.WARNING, logger="rizeos.applications")
    async with (
        db.connection() as other,
        db.connection() as parker,
        db.connection() as monitor,
    ):
        other_tx, parker_tx = other.transaction(), parker.transaction()
        await other_tx.start()
        # This side never runs the deadlock check: the bulk move does, and is the victim.
        await other.execute("SET LOCAL deadlock_timeout = '1min'")
        await other.execute(
            "UPDATE job_applications SET cover_letter = 'edited' WHERE id = $1", uuid.UUID(last)
        )
        await parker_tx.start()
        await parker.execute(
            "SELECT 1 FROM job_applications WHERE id = $1 FOR UPDATE", uuid.UUID(first)
        )
        bulk = asyncio.create_task(
            api.post(
                f"/api/jobs/{hiring.job['id']}/applications/status",
                {"application_ids": [first, last], "status": "viewed"},
                as_=hiring.admin,
                expect=200,
            )
        )
        await wait_for_lock_waiters(monitor, 1)  # the bulk: job share-locked, parked on `first`
        job_lock = asyncio.create_task(
            other.execute(
                "SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE", uuid.UUID(hiring.job["id"])
            )
        )
        await wait_for_lock_waiters(monitor, 2)
        # The bulk takes `first` and waits for `last`, held by `other`, which waits for the
        # job the bulk holds: a cycle, broken by aborting the bulk's transaction.
        await parker_tx.commit()
        await job_lock
        await other_tx.commit()
        result = await bulk
    assert sorted(m["application_id"] for m in result["moved"]) == [first, last]
    assert "deadlock: retrying the transaction" in caplog.messages
