"""The live events of applications: their payloads and who receives them.

The service builds each one inside its transaction (so recipients and payload match what
was committed); it is stored as a notification in that transaction
(``NotificationService.notify``), which emits it on /notifications after the commit.

| event | recipients |
|---|---|
| application.created | the company's hiring team (active admins and recruiters) |
| application.status, moved by the company | the candidate |
| application.status, withdrawn by the candidate | the company's hiring team |
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from server.applications import states
from server.applications.states import Status
from server.db import Database, fetch_all
from server.orgs.access import HIRE

APPLICATION_CREATED = "application.created"
APPLICATION_STATUS = "application.status"


class ApplicationCreatedPayload(msgspec.Struct, frozen=True):
    application_id: uuid.UUID
    job_id: uuid.UUID
    job_title: str
    company_id: uuid.UUID
    candidate_id: uuid.UUID
    status: Status
    submitted_at: datetime


class ApplicationStatusPayload(msgspec.Struct, frozen=True):
    application_id: uuid.UUID
    job_id: uuid.UUID
    job_title: str
    company_id: uuid.UUID
    candidate_id: uuid.UUID
    previous_status: Status
    status: Status
    changed_by: uuid.UUID
    changed_at: datetime


def created(row: asyncpg.Record) -> ApplicationCreatedPayload:
    """The payload of a new application (``row``: ``get_application``)."""
    return ApplicationCreatedPayload(
        application_id=row["id"],
        job_id=row["job_id"],
        job_title=row["job_title"],
        company_id=row["company_id"],
        candidate_id=row["candidate_id"],
        status=row["status"],
        submitted_at=row["submitted_at"],
    )


def status_changed(
    before: asyncpg.Record, after: asyncpg.Record, changed_by: uuid.UUID
) -> ApplicationStatusPayload:
    return ApplicationStatusPayload(
        application_id=after["id"],
        job_id=after["job_id"],
        job_title=after["job_title"],
        company_id=after["company_id"],
        candidate_id=after["candidate_id"],
        previous_status=before["status"],
        status=after["status"],
        changed_by=changed_by,
        changed_at=after["status_changed_at"],
    )


async def hiring_team(
    db: Database, conn: asyncpg.Connection, company_id: uuid.UUID
) -> tuple[uuid.UUID, ...]:
    """Who hears of new applications and withdrawals: the company's active hiring members."""
    rows = await fetch_all(
        db.q.applications.list_members_with_roles,
        conn,
        organization_id=company_id,
        roles=sorted(HIRE),
    )
    return tuple(row["user_id"] for row in rows)


async def status_recipients(
    db: Database, conn: asyncpg.Connection, row: asyncpg.Record, actor: states.Actor
) -> tuple[uuid.UUID, ...]:
    """The candidate hears of the company's moves; the hiring team of the candidate's."""
    if actor == states.COMPANY:
        return (row["candidate_id"],)
    return await hiring_team(db, conn, row["company_id"])
