"""HTTP routes for saved jobs (issue 15, item 2)."""

from __future__ import annotations

from aiohttp import web

from server.api import VERIFIED, ApiRequest, endpoint
from server.saved_jobs import schemas
from server.saved_jobs.service import SavedJobService

routes = web.RouteTableDef()
TAG = "saved jobs"


@endpoint(
    routes,
    "PUT",
    "/api/me/saved-jobs/{job_id}",
    summary="Save a job (idempotent: saving again keeps the first time)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.SavedJobState,
)
async def save_job(api: ApiRequest) -> schemas.SavedJobState:
    return await SavedJobService(api.db).save(api.user.user_id, api.path_id("job_id"))


@endpoint(
    routes,
    "DELETE",
    "/api/me/saved-jobs/{job_id}",
    summary="Unsave a job (idempotent: 204 whether or not it was saved)",
    tag=TAG,
    auth=VERIFIED,
    status=204,
)
async def unsave_job(api: ApiRequest) -> None:
    await SavedJobService(api.db).unsave(api.user.user_id, api.path_id("job_id"))


@endpoint(
    routes,
    "GET",
    "/api/me/saved-jobs",
    summary="Your saved jobs, newest save first; closed jobs stay, with status closed",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.SavedJobListQuery,
    response=schemas.SavedJobPage,
)
async def list_saved_jobs(api: ApiRequest) -> schemas.SavedJobPage:
    return await SavedJobService(api.db).list_mine(api.user.user_id, api.query)
