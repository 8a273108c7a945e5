"""Request and response bodies for jobs.

Struct names carry the domain (``JobAttachment``, not ``Attachment``) because the OpenAPI
document names its components after them and every domain shares that namespace.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from server import fields
from server.paging import DEFAULT_LIMIT, Limit

MAX_SKILLS = 30
MAX_ATTACHMENTS = 10
BIGINT_MAX = 2**63 - 1

EmploymentType = Literal["internship", "full_time", "part_time", "contract"]
JobStatus = Literal["open", "closed"]
AttachmentType = Literal["pdf", "video", "image", "document"]

# Shared string types refuse NUL (PostgreSQL cannot store it) and blank one-liners.
Title = fields.Name
Description = fields.Prose
Location = fields.line(255, "a place")
Skill = fields.SkillName
Skills = Annotated[list[Skill], msgspec.Meta(max_length=MAX_SKILLS)]
# An attachment is an uploaded file (server/uploads/refs.py checks it is the caller's).
Url = fields.FileUrl
Money = Annotated[int, msgspec.Meta(ge=0, le=BIGINT_MAX, description="minor units (cents)")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class JobAttachment(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    type: AttachmentType
    url: Url


Attachments = Annotated[list[JobAttachment], msgspec.Meta(max_length=MAX_ATTACHMENTS)]


class JobCreate(msgspec.Struct, forbid_unknown_fields=True):
    company_id: uuid.UUID
    title: Title
    description: Description
    skills_required: Skills = []
    attachments: Attachments = []
    location: Location | None = None
    employment_type: EmploymentType = "full_time"
    remote: bool = False
    salary_min: Money | None = None
    salary_max: Money | None = None
    salary_currency: Currency | None = None


class JobUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``null`` clears an optional field. The company is fixed."""

    title: Title | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    skills_required: Skills | UnsetType = UNSET
    attachments: Attachments | UnsetType = UNSET
    location: Location | UnsetType | None = UNSET
    employment_type: EmploymentType | UnsetType = UNSET
    remote: bool | UnsetType = UNSET
    salary_min: Money | UnsetType | None = UNSET
    salary_max: Money | UnsetType | None = UNSET
    salary_currency: Currency | UnsetType | None = UNSET


class Job(msgspec.Struct):
    id: uuid.UUID
    company_id: uuid.UUID
    company_name: str
    company_logo_url: str | None
    poster_id: uuid.UUID
    title: str
    description: str
    skills_required: list[str]
    attachments: list[JobAttachment]
    status: JobStatus
    location: str | None
    employment_type: EmploymentType
    remote: bool
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class JobPage(msgspec.Struct):
    items: list[Job]
    next: str | None = None


class JobSearchQuery(msgspec.Struct, forbid_unknown_fields=True):
    """Query string of ``GET /api/jobs``; ``skills`` may repeat or be comma-separated."""

    q: fields.SearchText | None = None
    skills: Annotated[list[Skill], msgspec.Meta(max_length=20)] = []
    skills_match: Literal["all", "any"] = "all"
    location: Location | None = None
    employment_type: EmploymentType | None = None
    remote: bool | None = None
    company_id: uuid.UUID | None = None
    status: JobStatus = "open"
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None
