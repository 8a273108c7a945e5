"""Bulk status moves (issue 15, item 4): each application through the state machine with a
compare-and-set, the result saying which moved and which were refused and why, the same
notifications as single moves, and nothing moved by a refused request."""

from __future__ import annotations

import asyncio
import uuid

from tests.applications.conftest import application_row, give_profile, set_status
from tests.jobs.conftest import add_member
from tests.waits import eventually


async def apply_many(api, db, job_id: str, n: int) -> list[tuple[object, dict]]:
    made = []
    for _ in range(n):
        candidate = await api.sign_up(["student"])
        await give_profile(db, candidate)
        application = await api.post(
            f"/api/jobs/{job_id}/applications", {}, as_=candidate, expect=201
        )
        made.append((candidate, application))
    return made


async def statuses(db, applications) -> list[str]:
    return [(await application_row(db, a["id"]))["status"] for _, a in applications]


async def test_bulk_moves_the_legal_ones_and_says_why_the_others_were_refused(api, db, hiring):
    made = await apply_many(api, db, hiring.job["id"], 4)
    (_, submitted), (viewer, viewed), (_, hired), (withdrawer, gone) = made
    await set_status(db, viewed["id"], "viewed")
    await set_status(db, hired["id"], "hired")
    await api.post(
        f"/api/applications/{gone['id']}/status", {"status": "withdrawn"}, as_=withdrawer
    )
    other_job = await api.job(hiring.admin, hiring.company["id"], title="Other")
    ((_, elsewhere),) = await apply_many(api, db, other_job["id"], 1)
    unknown = str(uuid.uuid4())
    ids = [submitted["id"], viewed["id"], hired["id"], gone["id"], elsewhere["id"], unknown]

    result = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications/status",
        {"application_ids": ids, "status": "shortlisted"},
        as_=hiring.admin,
        expect=200,
    )
    assert result["moved"] == [
        {"application_id": viewed["id"], "previous_status": "viewed", "status": "shortlisted"}
    ]
    reasons = {r["application_id"]: r["reason"] for r in result["refused"]}
    assert [r["application_id"] for r in result["refused"]] == [i for i in ids if i != viewed["id"]]
    assert reasons[submitted["id"]] == (
        "cannot move a submitted application to shortlisted; allowed next: viewed, rejected"
    )
    assert reasons[hired["id"]].endswith("allowed next: none, it is final")
    assert reasons[gone["id"]].endswith("allowed next: none, it is final")
    assert reasons[elsewhere["id"]] == reasons[unknown] == "no such application for this job"
    assert await statuses(db, made) == ["submitted", "shortlisted", "hired", "withdrawn"]
    assert (await application_row(db, elsewhere["id"]))["status"] == "submitted"

    # The candidate hears of it as of a single move.
    notes = await api.get("/api/notifications", as_=viewer, expect=200)
    moved = [n for n in notes["items"] if n["type"] == "application.status"]
    assert len(moved) == 1
    payload = moved[0]["payload"]
    assert (payload["previous_status"], payload["status"]) == ("viewed", "shortlisted")
    assert payload["changed_by"] == str(hiring.admin.id)


async def test_bulk_reject_moves_every_open_application(api, db, hiring):
    made = await apply_many(api, db, hiring.job["id"], 3)
    await set_status(db, made[1][1]["id"], "interviewing")
    result = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications/status",
        {"application_ids": [a["id"] for _, a in made], "status": "rejected"},
        as_=hiring.admin,
        expect=200,
    )
    assert [m["previous_status"] for m in result["moved"]] == [
        "submitted",
        "interviewing",
        "submitted",
    ]
    assert result["refused"] == []
    assert await statuses(db, made) == ["rejected"] * 3
    for candidate, _ in made:
        notes = await api.get("/api/notifications", as_=candidate)
        assert [n["payload"]["status"] for n in notes["items"]] == ["rejected"]


async def test_bulk_refuses_bad_requests_and_moves_nothing(api, db, hiring):
    made = await apply_many(api, db, hiring.job["id"], 2)
    ids = [a["id"] for _, a in made]
    path = f"/api/jobs/{hiring.job['id']}/applications/status"
    too_many = ids + [str(uuid.uuid4()) for _ in range(99)]
    problem = await api.post(
        path, {"application_ids": too_many, "status": "viewed"}, as_=hiring.admin, expect=422
    )
    assert problem["errors"][0]["field"] == "body.application_ids"
    problem = await api.post(
        path,
        {"application_ids": [ids[0], ids[0]], "status": "viewed"},
        as_=hiring.admin,
        expect=422,
    )
    assert problem["errors"][0]["field"] == "body.application_ids"
    await api.post(path, {"application_ids": [], "status": "viewed"}, as_=hiring.admin, expect=422)
    await api.post(path, {"application_ids": ids, "status": "later"}, as_=hiring.admin, expect=422)
    await api.post(
        path, {"application_ids": ids, "status": "viewed", "x": 1}, as_=hiring.admin, expect=422
    )
    await api.post(
        path, {"application_ids": ids, "status": "withdrawn"}, as_=hiring.admin, expect=403
    )
    assert await statuses(db, made) == ["submitted", "submitted"]
    # exactly 100 is fine
    hundred = ids + [str(uuid.uuid4()) for _ in range(98)]
    result = await api.post(
        path, {"application_ids": hundred, "status": "viewed"}, as_=hiring.admin, expect=200
    )
    assert len(result["moved"]) == 2 and len(result["refused"]) == 98


async def test_only_the_hiring_team_moves_in_bulk(api, db, hiring):
    made = await apply_many(api, db, hiring.job["id"], 2)
    body = {"application_ids": [a["id"] for _, a in made], "status": "viewed"}
    path = f"/api/jobs/{hiring.job['id']}/applications/status"
    outsider = await api.sign_up(["employer"])
    await api.company(outsider, name="Rival")
    inactive = await api.sign_up(["professional"])
    await add_member(db, inactive, hiring.company["id"], "recruiter", status="pending")
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, hiring.company["id"], "employee")
    candidate = made[0][0]
    for user in (outsider, inactive, employee, candidate):
        await api.post(path, body, as_=user, expect=403)
    await api.post(path, body, expect=401)
    await api.post(
        f"/api/jobs/{uuid.uuid4()}/applications/status", body, as_=hiring.admin, expect=404
    )
    assert await statuses(db, made) == ["submitted", "submitted"]


async def test_a_recruiter_cannot_bulk_move_their_own_application(api, db, hiring):
    made = await apply_many(api, db, hiring.job["id"], 2)
    turncoat = made[0][0]  # applied, then joined the hiring team
    await add_member(db, turncoat, hiring.company["id"], "recruiter")
    result = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications/status",
        {"application_ids": [a["id"] for _, a in made], "status": "viewed"},
        as_=turncoat,
        expect=200,
    )
    assert [m["application_id"] for m in result["moved"]] == [made[1][1]["id"]]
    assert "your own application" in result["refused"][0]["reason"]


async def test_a_move_made_meanwhile_wins_the_compare_and_set(api, db, hiring):
    """Another reviewer's move commits after the bulk read the status and before its
    compare-and-set: that application is refused as moved meanwhile, the rest move."""
    made = await apply_many(api, db, hiring.job["id"], 2)
    ids = sorted(a["id"] for _, a in made)
    first, second = ids
    async with db.connection() as blocker:
        transaction = blocker.transaction()
        await transaction.start()
        # Hold the second row (the bulk moves in id order), already moved to rejected.
        await blocker.execute(
            "UPDATE job_applications SET status = 'rejected' WHERE id = $1", uuid.UUID(second)
        )
        bulk = asyncio.create_task(
            api.post(
                f"/api/jobs/{hiring.job['id']}/applications/status",
                {"application_ids": ids, "status": "viewed"},
                as_=hiring.admin,
                expect=200,
            )
        )

        async def bulk_waits_for_the_row() -> bool:
            async with db.connection() as conn:
                return bool(
                    await conn.fetchval(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock'"
                        " AND query LIKE '%UPDATE job_applications%'"
                        " AND datname = current_database()"
                    )
                )

        await eventually(bulk_waits_for_the_row, what="the bulk move waiting on the row lock")
        await transaction.commit()
        result = await bulk
    assert [m["application_id"] for m in result["moved"]] == [first]
    assert result["refused"] == [
        {"application_id": second, "reason": "it moved to rejected meanwhile"}
    ]
    assert (await application_row(db, second))["status"] == "rejected"
