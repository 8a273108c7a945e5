"""Response bodies for matching: each result carries its score and the reasons for it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from server.jobs.schemas import Job
from server.orgs.schemas import VerifiedInstitute

__all__ = ["Job", "VerifiedInstitute"]

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
    # "Verified student of X" (sql/orgs/functions.sql, verified_institutes)
    verified_institutes: list[VerifiedInstitute] = []


class RankedCandidates(msgspec.Struct):
    job_id: uuid.UUID
    items: list[RankedCandidate]


class ScoreWeights(msgspec.Struct):
    """What the score is made of (sql/matching/matching.sql): score = skills x skill_score
    + text x text_score; in skill_score a required skill counts 1 when verified and
    `claimed_skill` when only claimed."""

    skills: float = 0.75
    text: float = 0.25
    claimed_skill: float = 0.6


class JobMatch(msgspec.Struct):
    """How the signed-in user's profile matches one job: the score and reasons that
    /api/jobs/recommended gives for it, with the weights, so a page can say what the number
    is made of instead of showing it bare."""

    job_id: uuid.UUID
    score: float
    reasons: MatchReasons
    weights: ScoreWeights = msgspec.field(default_factory=ScoreWeights)


class MatchQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Results = 20
