"""Moving applications over HTTP: the state machine, who may move, and races."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.applications.conftest import application_row, set_status
from tests.jobs.conftest import add_member
from tests.waits import wait_for_lock_waiters

OPEN = ["submitted", "viewed", "shortlisted", "interviewing", "offered"]
FINAL = ["hired", "rejected", "withdrawn"]


def status_path(application: dict) -> str:
    return f"/api/applications/{application['id']}/status"


async def test_recruiter_walks_the_whole_pipeline_to_hired(api, db, hiring, applied):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    for status in ("viewed", "shortlisted", "interviewing", "offered", "hired"):
        moved = await api.post(status_path(applied), {"status": status}, as_=recruiter, expect=200)
        assert moved["status"] == status
        assert (await application_row(db, applied["id"]))["status"] == status
    problem = await api.post(status_path(applied), {"status": "rejected"}, as_=recruiter)
    assert problem["status"] == 409 and "none, it is final" in problem["detail"]


@pytest.mark.parametrize("current", OPEN)
async def test_company_rejects_from_every_open_state(api, db, hiring, applied, current):
    await set_status(db, applied["id"], current)
    moved = await api.post(
        status_path(applied), {"status": "rejected"}, as_=hiring.admin, expect=200
    )
    assert moved["status"] == "rejected"


@pytest.mark.parametrize("current", OPEN)
async def test_candidate_withdraws_from_every_open_state(api, db, applied, student, current):
    await set_status(db, applied["id"], current)
    moved = await api.post(status_path(applied), {"status": "withdrawn"}, as_=student, expect=200)
    assert moved["status"] == "withdrawn"


@pytest.mark.parametrize("current", FINAL)
@pytest.mark.parametrize("target", ["viewed", "offered", "hired", "rejected"])
async def test_final_states_never_move(api, db, hiring, applied, current, target):
    await set_status(db, applied["id"], current)
    before = await application_row(db, applied["id"])
    problem = await api.post(status_path(applied), {"status": target}, as_=hiring.admin, expect=409)
    assert "allowed next: none" in problem["detail"]
    assert await application_row(db, applied["id"]) == before


async def test_skipping_a_step_is_409_naming_the_allowed_states(api, db, hiring, applied):
    before = await application_row(db, applied["id"])
    problem = await api.post(
        status_path(applied), {"status": "offered"}, as_=hiring.admin, expect=409
    )
    assert problem["detail"].endswith("allowed next: viewed, rejected")
    await api.post(status_path(applied), {"status": "submitted"}, as_=hiring.admin, expect=409)
    assert await application_row(db, applied["id"]) == before


async def test_withdrawn_twice_is_409(api, db, applied, student):
    await api.post(status_path(applied), {"status": "withdrawn"}, as_=student, expect=200)
    await api.post(status_path(applied), {"status": "withdrawn"}, as_=student, expect=409)


@pytest.mark.parametrize("target", ["viewed", "shortlisted", "hired", "rejected"])
async def test_candidate_can_only_withdraw(api, db, applied, student, target):
    before = await application_row(db, applied["id"])
    problem = await api.post(status_path(applied), {"status": target}, as_=student, expect=403)
    assert "only withdraw" in problem["detail"]
    assert await application_row(db, applied["id"]) == before


async def test_company_cannot_withdraw_for_the_candidate(api, db, hiring, applied):
    before = await application_row(db, applied["id"])
    await api.post(status_path(applied), {"status": "withdrawn"}, as_=hiring.admin, expect=403)
    assert await application_row(db, applied["id"]) == before


async def test_a_candidate_who_also_hires_there_still_only_withdraws(api, db, hiring, applied):
    candidate = await api.sign_up(["student"])
    mine = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications", {}, as_=candidate, expect=201
    )
    await add_member(db, candidate, hiring.company["id"], "recruiter")
    await api.post(status_path(mine), {"status": "viewed"}, as_=candidate, expect=403)
    opened = await api.get(f"/api/applications/{mine['id']}", as_=candidate, expect=200)
    assert opened["status"] == "submitted"
    # ...while as a recruiter they move other people's applications.
    await api.post(status_path(applied), {"status": "viewed"}, as_=candidate, expect=200)


async def test_outsiders_get_404_and_change_nothing(api, db, hiring, applied):
    before = await application_row(db, applied["id"])
    rival = await api.sign_up(["employer"])
    await api.company(rival, name="Rival")
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, hiring.company["id"], "recruiter", status="pending")
    other_student = await api.sign_up(["student"])
    for user in (rival, pending, other_student):
        for target in ("viewed", "rejected", "withdrawn"):
            await api.post(status_path(applied), {"status": target}, as_=user, expect=404)
    await api.post(status_path(applied), {"status": "viewed"}, expect=401)
    unverified = await api.sign_up(["employer"], verified=False)
    await api.post(status_path(applied), {"status": "viewed"}, as_=unverified, expect=403)
    missing = {"id": "00000000-0000-0000-0000-000000000000"}
    await api.post(status_path(missing), {"status": "viewed"}, as_=hiring.admin, expect=404)
    assert await application_row(db, applied["id"]) == before


@pytest.mark.parametrize(
    "body", [{"status": "lost"}, {"status": None}, {}, {"status": "viewed", "note": "x"}]
)
async def test_bad_status_body_is_422(api, db, hiring, applied, body):
    before = await application_row(db, applied["id"])
    await api.post(status_path(applied), body, as_=hiring.admin, expect=422)
    assert await application_row(db, applied["id"]) == before


async def test_repeated_presses_move_once(api, db, hiring, applied):
    await set_status(db, applied["id"], "viewed")
    results = await asyncio.gather(
        *(
            api.call("POST", status_path(applied), as_=hiring.admin, json={"status": "shortlisted"})
            for _ in range(3)
        )
    )
    assert sorted(r.get("status") if "type" in r else 200 for r in results) == [200, 409, 409]
    assert (await application_row(db, applied["id"]))["status"] == "shortlisted"


async def test_racing_moves_cannot_overwrite_each_other(api, db, hiring, applied, student):
    """The candidate withdraws while the company hires, both having read `offered`. Without
    the compare-and-set the later write would move a final state; with it, one wins and the
    other is told the application moved. The row lock held here makes both requests read
    `offered` and then queue on the update, so the race happens every run."""
    await set_status(db, applied["id"], "offered")
    async with db.connection() as blocker, db.connection() as watcher:
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute(
            "SELECT 1 FROM job_applications WHERE id = $1 FOR UPDATE", uuid.UUID(applied["id"])
        )
        moves = asyncio.ensure_future(
            asyncio.gather(
                api.call("POST", status_path(applied), as_=student, json={"status": "withdrawn"}),
                api.call("POST", status_path(applied), as_=hiring.admin, json={"status": "hired"}),
            )
        )
        await wait_for_lock_waiters(watcher, 2)
        await transaction.rollback()
        results = await moves
    winners = [r for r in results if "type" not in r]
    [loser] = [r for r in results if "type" in r]
    assert len(winners) == 1
    assert loser["status"] == 409 and "meanwhile" in loser["detail"]
    assert "allowed next: none, it is final" in loser["detail"]
    assert (await application_row(db, applied["id"]))["status"] == winners[0]["status"]
