"""The events the application services emit through their transaction (as notifications).

A recorder in front of the database's event sink sees what each committed change
published; these tests check each event's name, recipients and payload shape, that it left
only after the commit (the data is visible to another connection), and that refused calls
emit nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec
import pytest

from server.applications.events import (
    APPLICATION_CREATED,
    APPLICATION_STATUS,
    ApplicationCreatedPayload,
    ApplicationStatusPayload,
)
from server.applications.schemas import ApplicationCreate
from server.applications.service import ApplicationService
from server.errors import Conflict, Forbidden
from server.realtime.contract import LiveEvent
from tests.jobs.conftest import add_member
from tests.live_events import RecordingEvents


@dataclass(frozen=True)
class Event:
    name: str
    payload: ApplicationCreatedPayload | ApplicationStatusPayload
    recipients: tuple[uuid.UUID, ...]


PAYLOADS = {
    APPLICATION_CREATED: ApplicationCreatedPayload,
    APPLICATION_STATUS: ApplicationStatusPayload,
}


class Collector(RecordingEvents):
    """One ``Event`` per change: its notifications (one live event per recipient, all with
    the same payload) taken together."""

    def __init__(self, db):
        super().__init__(db.events)
        db.events = self
        self.db = db
        self.events: list[Event] = []
        self.committed_status: list[str | None] = []

    async def publish(self, items) -> None:
        await super().publish(items)
        live = [i for i in items if isinstance(i, LiveEvent) and i.name in PAYLOADS]
        if not live:
            return
        payload = msgspec.convert(live[0].payload.payload, PAYLOADS[live[0].name])
        recipients = tuple(user for item in live for user in item.user_ids)
        self.events.append(Event(live[0].name, payload, recipients))
        async with self.db.connection() as conn:  # another connection: sees only commits
            self.committed_status.append(
                await conn.fetchval(
                    "SELECT status FROM job_applications WHERE id = $1", payload.application_id
                )
            )


@pytest.fixture
def collector(db) -> Collector:
    return Collector(db)


@pytest.fixture
def service(db, collector) -> ApplicationService:
    return ApplicationService(db)


async def test_application_created_goes_to_active_hiring_members_after_commit(
    api, db, hiring, student, service, collector
):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, hiring.company["id"], "recruiter", status="pending")
    job_id = uuid.UUID(hiring.job["id"])
    application = await service.apply(student.id, ["student"], job_id, ApplicationCreate())
    [event] = collector.events
    assert event.name == "application.created"
    assert set(event.recipients) == {hiring.admin.id, recruiter.id}
    assert msgspec.to_builtins(event.payload) == {
        "application_id": str(application.id),
        "job_id": str(job_id),
        "job_title": "Backend Intern",
        "company_id": hiring.company["id"],
        "candidate_id": str(student.id),
        "status": "submitted",
        "submitted_at": msgspec.to_builtins(application.submitted_at),
    }
    assert collector.committed_status == ["submitted"]


async def test_refused_applications_announce_nothing(hiring, student, service, collector):
    job_id = uuid.UUID(hiring.job["id"])
    await service.apply(student.id, ["student"], job_id, ApplicationCreate())
    with pytest.raises(Conflict):
        await service.apply(student.id, ["student"], job_id, ApplicationCreate())
    with pytest.raises(Forbidden):
        await service.apply(hiring.admin.id, ["employer"], job_id, ApplicationCreate())
    assert len(collector.events) == 1


async def test_opening_tells_the_candidate_it_was_viewed(
    hiring, student, applied, service, collector
):
    application_id = uuid.UUID(applied["id"])
    await service.open(student.id, application_id)
    assert collector.events == []  # the candidate reading their own changes nothing
    await service.open(hiring.admin.id, application_id)
    await service.open(hiring.admin.id, application_id)  # already viewed: no second event
    [event] = collector.events
    assert event.name == "application.status"
    assert event.recipients == (student.id,)
    payload = msgspec.to_builtins(event.payload)
    assert payload["previous_status"] == "submitted" and payload["status"] == "viewed"
    assert payload["changed_by"] == str(hiring.admin.id)
    assert set(payload) == {
        "application_id",
        "job_id",
        "job_title",
        "company_id",
        "candidate_id",
        "previous_status",
        "status",
        "changed_by",
        "changed_at",
    }
    assert collector.committed_status == ["viewed"]


async def test_company_moves_go_to_the_candidate_and_withdrawals_to_the_company(
    hiring, student, applied, service, collector
):
    application_id = uuid.UUID(applied["id"])
    await service.move(hiring.admin.id, application_id, "viewed")
    await service.move(student.id, application_id, "withdrawn")
    moved, withdrawn = collector.events
    assert moved.recipients == (student.id,)
    assert withdrawn.recipients == (hiring.admin.id,)
    assert (withdrawn.payload.previous_status, withdrawn.payload.status) == (
        "viewed",
        "withdrawn",
    )
    assert collector.committed_status == ["viewed", "withdrawn"]
    with pytest.raises(Conflict):
        await service.move(hiring.admin.id, application_id, "rejected")
    assert len(collector.events) == 2


async def test_services_work_without_a_listener(db, hiring, student):
    application = await ApplicationService(db).apply(
        student.id, ["student"], uuid.UUID(hiring.job["id"]), ApplicationCreate()
    )
    assert application.status == "submitted"
