"""Request and response bodies for job alerts (docs/job-alerts.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from server import fields
from server.jobs.schemas import EmploymentType, Location, Skill
from server.paging import DEFAULT_LIMIT, Limit

Frequency = Literal["instant", "daily"]
AlertSkills = Annotated[list[Skill], msgspec.Meta(max_length=20)]


class JobAlertCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A board search (the fields of GET /api/jobs, no paging or status: alerts are about
    open jobs) and how often to hear of new matches."""

    frequency: Frequency
    q: fields.SearchText | None = None
    skills: AlertSkills = []
    skills_match: Literal["all", "any"] = "all"
    location: Location | None = None
    employment_type: EmploymentType | None = None
    remote: bool | None = None
    company_id: uuid.UUID | None = None


class JobAlertUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``null`` clears an optional filter."""

    frequency: Frequency | UnsetType = UNSET
    q: fields.SearchText | UnsetType | None = UNSET
    skills: AlertSkills | UnsetType = UNSET
    skills_match: Literal["all", "any"] | UnsetType = UNSET
    location: Location | UnsetType | None = UNSET
    employment_type: EmploymentType | UnsetType | None = UNSET
    remote: bool | UnsetType | None = UNSET
    company_id: uuid.UUID | UnsetType | None = UNSET


class JobAlert(msgspec.Struct):
    id: uuid.UUID
    frequency: Frequency
    q: str | None
    skills: list[str]
    skills_match: Literal["all", "any"]
    location: str | None
    employment_type: EmploymentType | None
    remote: bool | None
    company_id: uuid.UUID | None
    company_name: str | None  # the company_id filter's name, for people
    created_at: datetime
    updated_at: datetime


class JobAlertPage(msgspec.Struct):
    items: list[JobAlert]
    next: str | None = None


class JobAlertListQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class JobAlertMatchJob(msgspec.Struct):
    id: uuid.UUID
    title: str
    company_name: str
    location: str | None
    remote: bool
    employment_type: EmploymentType


class JobAlertMatch(msgspec.Struct):
    """The payload of a ``job_alert.match`` notification: a new job that matched one or more
    of the recipient's instant alerts."""

    job: JobAlertMatchJob
