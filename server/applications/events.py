"""What the application services announce once their transaction commits.

The service builds each event inside its transaction (so recipients and payload match what
was committed); it is stored as a notification in that transaction and handed to an optional
``notify`` callback through ``tx.after_commit``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import msgspec

from server.applications.states import Status


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


@dataclass(frozen=True, slots=True)
class Event:
    name: str  # "application.created" or "application.status"
    payload: ApplicationCreatedPayload | ApplicationStatusPayload
    recipients: tuple[uuid.UUID, ...]


Notify = Callable[[Event], Awaitable[None]]

APPLICATION_CREATED = "application.created"
APPLICATION_STATUS = "application.status"
