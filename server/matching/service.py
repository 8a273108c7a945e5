"""Matching: open jobs for a candidate, and a job's applicants for its hiring team, ranked by
one documented score (sql/matching/matching.sql, docs/enrichment.md "Matching")."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from server.db import Database, fetch_all
from server.errors import NotFound
from server.matching import schemas
from server.orgs.access import HIRE, require_org_role

# Recommendations score the POOL newest open jobs that share a skill or a title phrase with
# the profile (docs/enrichment.md, "Matching"): bounded work however large the board grows.
POOL = 1000
JOB_FIELDS = tuple(f.name for f in msgspec.structs.fields(schemas.Job))


def _reasons(row: Any) -> schemas.MatchReasons:
    return schemas.MatchReasons(
        matched_skills=list(row["matched"]),
        verified_skills=list(row["matched_verified"]),
        missing_skills=list(row["missing"]),
        skill_score=round(row["skill_score"], 4),
        text_score=round(row["text_score"], 4),
    )


class MatchingService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.matching

    async def recommended(self, user_id: uuid.UUID, limit: int) -> schemas.RecommendedJobs:
        async with self.db.connection() as conn:
            me = await self.q.match_profile(conn, user_id=user_id)
            if me is None:
                raise NotFound("no such user")
            if not me["skill_keys"] and me["titles"] is None:
                return schemas.RecommendedJobs(items=[])  # an empty profile matches nothing
            rows = await fetch_all(
                self.q.recommended_jobs,
                conn,
                user_id=user_id,
                skill_keys=me["skill_keys"],
                verified_keys=me["verified_keys"],
                words=me["words"],
                titles=me["titles"],
                pool=POOL,
                limit=limit,
            )
        return schemas.RecommendedJobs(
            items=[
                schemas.RecommendedJob(
                    job=msgspec.convert({k: row[k] for k in JOB_FIELDS}, schemas.Job),
                    score=round(row["score"], 4),
                    reasons=_reasons(row),
                )
                for row in rows
            ]
        )

    async def for_job(self, user_id: uuid.UUID, job_id: uuid.UUID) -> schemas.JobMatch:
        """The user's match with one job (open or closed: a job page explains both)."""
        async with self.db.connection() as conn:
            row = await self.q.match_job_for_user(conn, job_id=job_id, user_id=user_id)
            if row is None:
                if await self.q.job_for_matching(conn, job_id=job_id) is None:
                    raise NotFound("no such job")
                raise NotFound("you have no profile to match against this job")
        return schemas.JobMatch(job_id=job_id, score=round(row["score"], 4), reasons=_reasons(row))

    async def candidates(
        self, caller_id: uuid.UUID, job_id: uuid.UUID, limit: int
    ) -> schemas.RankedCandidates:
        async with self.db.connection() as conn:
            job = await self.q.job_for_matching(conn, job_id=job_id)
            if job is None:
                raise NotFound("no such job")
            await require_org_role(
                self.db, conn, caller_id, job["company_id"], HIRE, "see this job's candidates"
            )
            rows = await fetch_all(self.q.ranked_applicants, conn, job_id=job_id, limit=limit)
        return schemas.RankedCandidates(
            job_id=job_id,
            items=[
                schemas.RankedCandidate(
                    application_id=row["application_id"],
                    candidate_id=row["candidate_id"],
                    full_name=row["full_name"],
                    headline=row["headline"],
                    status=row["status"],
                    submitted_at=row["submitted_at"],
                    score=round(row["score"], 4),
                    reasons=_reasons(row),
                    verified_institutes=msgspec.convert(
                        row["verified_institutes"], list[schemas.VerifiedInstitute]
                    ),
                )
                for row in rows
            ],
        )
