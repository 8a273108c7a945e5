"""Request and response bodies for job applications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from server import fields
from server.applications.states import Status
from server.paging import DEFAULT_LIMIT, Limit

CoverLetter = fields.LongText


class ApplicationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """`resume_url` left out: the resume on your profile now (none if it has none); the
    `url` of another complete resume upload of yours: that one; null: apply without one.
    Either way the application keeps that file, whatever the profile holds later."""

    cover_letter: CoverLetter | None = None
    resume_url: fields.FileUrl | UnsetType | None = UNSET


class ApplicationStatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: Status


class ApplicationListQuery(msgspec.Struct, forbid_unknown_fields=True):
    status: Status | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class Application(msgspec.Struct):
    id: uuid.UUID
    job_id: uuid.UUID
    job_title: str
    company_id: uuid.UUID
    company_name: str
    company_logo_url: str | None
    candidate_id: uuid.UUID
    status: Status
    cover_letter: str | None
    submitted_at: datetime
    status_changed_at: datetime
    updated_at: datetime
    # The resume applied with (a snapshot: replacing the profile's resume later changes
    # nothing here); None when applied without one, or, for the company, once withdrawn.
    resume_url: str | None
    resume_filename: str | None
    resume_uploaded_at: datetime | None


class CandidateSkills(msgspec.Struct):
    claimed: list[str] = []
    verified: list[str] = []


class Applicant(Application):
    """An application with what a hiring member sees of its candidate: account email and
    public profile (workflow 1, step 3)."""

    email: str
    full_name: str | None
    headline: str | None
    skills: CandidateSkills
    avatar_url: str | None = None


class ApplicantCount(msgspec.Struct):
    """A job's applicants (withdrawn ones left out), and how many are still unopened."""

    total: int
    unseen: int


class ApplicationPage(msgspec.Struct):
    items: list[Application]
    next: str | None = None


class ApplicantPage(msgspec.Struct):
    items: list[Applicant]
    next: str | None = None
