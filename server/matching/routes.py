"""HTTP routes for matching. Registered before server.jobs.routes (see server/app.py), so
``/api/jobs/recommended`` is this route and not ``/api/jobs/{job_id}``."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, VERIFIED, ApiRequest, endpoint
from server.matching import schemas
from server.matching.service import MatchingService

routes = web.RouteTableDef()
TAG = "matching"


@endpoint(
    routes,
    "GET",
    "/api/jobs/recommended",
    summary="Open jobs for you, best match first, each with its score and reasons",
    tag=TAG,
    auth=USER,
    query=schemas.MatchQuery,
    response=schemas.RecommendedJobs,
)
async def recommended_jobs(api: ApiRequest) -> schemas.RecommendedJobs:
    """Jobs that share a skill with your profile or match its words, leaving out jobs you
    have applied to (withdrawn ones too: they cannot be applied to again). score = 0.75 x skill
    score (each required skill counts 1 when verified, 0.6 when only claimed, over the number
    required) + 0.25 x text score (full-text rank of your headline, skills, job titles and
    fields of study against the job's title and description)."""
    return await MatchingService(api.db).recommended(api.user.user_id, api.query.limit)


@endpoint(
    routes,
    "GET",
    "/api/jobs/{job_id}/match",
    summary="How your profile matches one job: score, matched and missing skills, weights",
    tag=TAG,
    auth=USER,
    response=schemas.JobMatch,
    errors=(404,),
)
async def job_match(api: ApiRequest) -> schemas.JobMatch:
    """The same score and reasons `/api/jobs/recommended` gives for this job (open or
    closed), for your own profile, with the weights it is made of: score = `weights.skills`
    x `reasons.skill_score` + `weights.text` x `reasons.text_score`, where a required skill
    counts 1 when verified and `weights.claimed_skill` when only claimed. So a profile
    claiming every required skill, none verified, has a skill score of 0.6 and an overall
    score near 0.5: read it with the matched and missing skills. 404 for an unknown job."""
    return await MatchingService(api.db).for_job(api.user.user_id, api.path_id("job_id"))


@endpoint(
    routes,
    "GET",
    "/api/jobs/{job_id}/candidates",
    summary="A job's applicants ranked by fit, with reasons (the company's hiring team)",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.MatchQuery,
    response=schemas.RankedCandidates,
    errors=(403, 404),
)
async def job_candidates(api: ApiRequest) -> schemas.RankedCandidates:
    """Same score as `/api/jobs/recommended`, for every applicant who has not withdrawn."""
    return await MatchingService(api.db).candidates(
        api.user.user_id, api.path_id("job_id"), api.query.limit
    )
