"""Response bodies for matching: each result carries its score and the reasons for it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from server.jobs.schemas import Job

__all__ = ["Job"]

MAX_RESULTS = 100
Results = Annotated[int, msgspec.Meta(ge=1, le=MAX_RESULTS)]


class MatchReasons(msgspec.Struct):
    """Why it matched: the job's required skills the candidate has (and which of them are
    verified), the ones they lack, and the two parts of the score."""

    matched_skills: list[str]
    verified_skills: list[str]
    missing_skills: list[str]
    skill_score: float
    text_score: float


class RecommendedJob(msgspec.Struct):
    job: Job
    score: float
    reasons: MatchReasons


class RecommendedJobs(msgspec.Struct):
    items: list[RecommendedJob]


class RankedCandidate(msgspec.Struct):
    application_id: uuid.UUID
    candidate_id: uuid.UUID
    full_name: str | None
    headline: str | None
    status: str
    submitted_at: datetime
    score: float
    reasons: MatchReasons


class RankedCandidates(msgspec.Struct):
    job_id: uuid.UUID
    items: list[RankedCandidate]


class MatchQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Results = 20
