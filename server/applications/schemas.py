"""Request and response bodies for job applications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from server import fields
from server.applications.states import Status
from server.matching.schemas import MatchReasons
from server.orgs.schemas import VerifiedInstitute
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


class ApplicationPage(msgspec.Struct):
    items: list[Application]
    next: str | None = None


# -- Recruiter triage (issue 15, item 4; server/applications/triage.py and notes.py) --------

TriageSort = Literal["score", "newest", "oldest"]


class ApplicantTriageQuery(msgspec.Struct, forbid_unknown_fields=True):
    """A job's applicants: one status or all, best match first or by date of application."""

    status: Status | None = None
    sort: TriageSort = "newest"
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class ApplicantExportQuery(msgspec.Struct, forbid_unknown_fields=True):
    status: Status | None = None
    sort: TriageSort = "newest"


class ApplicantMatch(msgspec.Struct):
    """The applicant's match with the job: the score of GET /api/jobs/{job_id}/candidates
    (0.75 x skill score + 0.25 x text score) and what it is made of."""

    score: float
    reasons: MatchReasons


class TriageApplicant(Applicant, kw_only=True):
    """One row of a job's applicants dashboard."""

    match: ApplicantMatch
    note_count: int
    # "Verified student of X": active student/alumni memberships of verified institutes
    verified_institutes: list[VerifiedInstitute] = []


class ApplicantTriagePage(msgspec.Struct):
    items: list[TriageApplicant]
    # Every status, zero included, over all of the job's applications (not just this filter).
    counts: dict[Status, int]
    next: str | None = None


ApplicationIds = Annotated[
    list[uuid.UUID],
    msgspec.Meta(min_length=1, max_length=100, description="1 to 100 distinct application ids"),
]


class BulkStatusChange(msgspec.Struct, forbid_unknown_fields=True):
    application_ids: ApplicationIds
    status: Status


class BulkMoved(msgspec.Struct):
    application_id: uuid.UUID
    previous_status: Status
    status: Status


class BulkRefused(msgspec.Struct):
    application_id: uuid.UUID
    reason: str


class BulkStatusResult(msgspec.Struct):
    moved: list[BulkMoved]
    refused: list[BulkRefused]


NoteBody = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=5000, pattern=r"\A(?=[\s\S]*\S)[^\x00]+\Z", description="not blank"
    ),
]


class NoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: NoteBody


class NoteListQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class Note(msgspec.Struct):
    id: uuid.UUID
    application_id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str | None
    author_avatar_url: str | None
    body: str
    created_at: datetime


class NotePage(msgspec.Struct):
    items: list[Note]
    next: str | None = None


class JobTriageSummary(msgspec.Struct):
    """A job on the hiring page: its applications per status (zero included) and how many
    arrived since the viewer last opened its applicants (withdrawn ones left out)."""

    counts: dict[Status, int]
    total: int
    new_since_visit: int
