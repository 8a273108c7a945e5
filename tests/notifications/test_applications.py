"""application.created and application.status: stored with the change, then live."""

from __future__ import annotations

from server.notifications.service import NotificationService
from tests.jobs.conftest import add_member
from tests.live_events import RecordingEvents
from tests.notifications.conftest import apply, is_notification, stored, uid


async def test_recruiter_sees_new_application_live_and_stored(
    api, db, hiring, recruiter, student, inbox_for
):
    on_recruiter = await inbox_for(recruiter)
    on_admin = await inbox_for(hiring.admin)
    application = await apply(api, hiring, student)

    expected_payload = {
        "application_id": application["id"],
        "job_id": hiring.job["id"],
        "job_title": "Backend Intern",
        "company_id": hiring.company["id"],
        "candidate_id": uid(student.id),
        "status": "submitted",
        "submitted_at": application["submitted_at"],
    }
    for inbox, user in ((on_recruiter, recruiter), (on_admin, hiring.admin)):
        event, data = await inbox.next()
        assert event == "application.created"
        is_notification(data, "application.created")
        assert data["payload"] == expected_payload
        # what arrived live is exactly what is stored
        assert await stored(api, user) == [data]


async def test_only_active_hiring_members_are_told_of_an_application(
    api, db, hiring, recruiter, student
):
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, hiring.company["id"], "recruiter", status="pending")
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, hiring.company["id"], "employee")
    await apply(api, hiring, student)
    assert [n["type"] for n in await stored(api, recruiter)] == ["application.created"]
    assert [n["type"] for n in await stored(api, hiring.admin)] == ["application.created"]
    assert await stored(api, pending) == []
    assert await stored(api, employee) == []
    assert await stored(api, student) == []


async def test_candidate_sees_viewed_when_a_recruiter_opens_the_application(
    api, hiring, recruiter, student, inbox_for
):
    application = await apply(api, hiring, student)
    on_student = await inbox_for(student)
    opened = await api.get(f"/api/applications/{application['id']}", as_=recruiter, expect=200)
    event, data = await on_student.next()
    assert event == "application.status"
    is_notification(data, "application.status")
    assert data["payload"] == {
        "application_id": application["id"],
        "job_id": hiring.job["id"],
        "job_title": "Backend Intern",
        "company_id": hiring.company["id"],
        "candidate_id": uid(student.id),
        "previous_status": "submitted",
        "status": "viewed",
        "changed_by": uid(recruiter.id),
        "changed_at": opened["status_changed_at"],
    }
    assert await stored(api, student) == [data]
    # opening it again changes nothing, so nothing more is stored
    await api.get(f"/api/applications/{application['id']}", as_=hiring.admin, expect=200)
    assert len(await stored(api, student)) == 1


async def test_candidate_sees_each_status_move_live_in_order(
    api, hiring, recruiter, student, inbox_for
):
    application = await apply(api, hiring, student)
    on_student = await inbox_for(student)
    path = f"/api/applications/{application['id']}"
    await api.get(path, as_=recruiter, expect=200)
    for status in ("shortlisted", "interviewing", "offered"):
        await api.post(f"{path}/status", {"status": status}, as_=recruiter, expect=200)
    await api.post(f"{path}/status", {"status": "rejected"}, as_=hiring.admin, expect=200)
    moves = []
    for _ in range(5):
        event, data = await on_student.next()
        assert event == "application.status"
        moves.append((data["payload"]["previous_status"], data["payload"]["status"]))
    assert moves == [
        ("submitted", "viewed"),
        ("viewed", "shortlisted"),
        ("shortlisted", "interviewing"),
        ("interviewing", "offered"),
        ("offered", "rejected"),
    ]
    ids = [n["id"] for n in await stored(api, student)]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5


async def test_a_withdrawal_is_told_to_the_company_not_the_candidate(
    api, hiring, recruiter, student, inbox_for
):
    application = await apply(api, hiring, student)
    on_recruiter = await inbox_for(recruiter)
    await api.post(
        f"/api/applications/{application['id']}/status",
        {"status": "withdrawn"},
        as_=student,
        expect=200,
    )
    event, data = await on_recruiter.next()
    assert event == "application.status"
    assert data["payload"]["status"] == "withdrawn"
    assert data["payload"]["changed_by"] == uid(student.id)
    assert [n["type"] for n in await stored(api, student)] == []
    types = [n["type"] for n in await stored(api, hiring.admin)]
    assert types == ["application.status", "application.created"]


async def test_a_refused_change_stores_nothing(api, hiring, recruiter, student):
    application = await apply(api, hiring, student)
    await api.post(f"/api/jobs/{hiring.job['id']}/applications", {}, as_=student, expect=409)
    await api.post(
        f"/api/applications/{application['id']}/status",
        {"status": "offered"},
        as_=recruiter,
        expect=409,
    )
    assert [n["type"] for n in await stored(api, recruiter)] == ["application.created"]
    assert await stored(api, student) == []


async def test_the_notification_commits_with_the_application_or_not_at_all(
    api, db, hiring, recruiter, student, monkeypatch
):
    """Stored in the change's transaction: if storing fails, the application is not made."""
    original = NotificationService.notify

    async def store_then_fail(self, tx, user_ids, type, payload):
        await original(self, tx, user_ids, type, payload)
        raise RuntimeError("the insert after ours failed")

    monkeypatch.setattr(NotificationService, "notify", store_then_fail)
    await api.post(f"/api/jobs/{hiring.job['id']}/applications", {}, as_=student, expect=500)
    monkeypatch.undo()
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM job_applications") == 0
        assert await conn.fetchval("SELECT count(*) FROM notifications") == 0


async def test_events_are_emitted_only_once_the_change_is_committed(
    api, db, hiring, recruiter, student, monkeypatch, inbox_for
):
    on_recruiter = await inbox_for(recruiter)
    visible_at_emit: list[bool] = []

    class CheckingCommitted(RecordingEvents):
        async def publish(self, items) -> None:
            async with db.connection() as other:  # another connection sees only commits
                for item in items:
                    visible_at_emit.append(
                        await other.fetchval(
                            "SELECT EXISTS (SELECT 1 FROM notifications n JOIN job_applications"
                            " a ON a.id = (n.payload->>'application_id')::uuid WHERE n.id = $1)",
                            item.payload.id,
                        )
                    )
            await super().publish(items)

    CheckingCommitted.on(db)
    await apply(api, hiring, student)
    event, _ = await on_recruiter.next()
    assert event == "application.created"
    assert visible_at_emit == [True, True]  # the admin's and the recruiter's
