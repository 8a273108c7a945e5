"""Request and response bodies for saved jobs (docs/job-alerts.md, "Saved jobs")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from server.jobs.schemas import Job
from server.paging import DEFAULT_LIMIT, Limit


class SavedJobState(msgspec.Struct):
    """The answer to PUT: the job is saved, since ``saved_at`` (the first save)."""

    job_id: str
    saved_at: datetime


class SavedJob(msgspec.Struct):
    saved_at: datetime
    job: Job


class SavedJobPage(msgspec.Struct):
    items: list[SavedJob]
    next: str | None = None


class SavedJobListQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None
