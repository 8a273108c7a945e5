"""HTTP routes for jobs (workflow 1, step 2) and the public job board."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api import PUBLIC, VERIFIED, ApiRequest, encode_json, endpoint
from server.jobs import schemas
from server.jobs.cache import CachedJob
from server.jobs.service import JobService

routes = web.RouteTableDef()
TAG = "jobs"


@endpoint(
    routes,
    "POST",
    "/api/jobs",
    summary="Post a job for a company you hire for (active admin or recruiter)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.JobCreate,
    response=schemas.Job,
    status=201,
)
async def create_job(api: ApiRequest) -> schemas.Job:
    return await JobService(api.db).create(api.user.user_id, api.body)


@endpoint(
    routes,
    "GET",
    "/api/jobs",
    summary="Search the job board: full text (ranked), skills, location, type, remote, company",
    tag=TAG,
    auth=PUBLIC,
    query=schemas.JobSearchQuery,
    response=schemas.JobPage,
)
async def search_jobs(api: ApiRequest) -> schemas.JobPage:
    """Open jobs unless `status=closed`. With `q`, best matches first (title hits above
    description hits); without it, newest first. Pass `next` back as `cursor` for the next
    page."""
    return await JobService(api.db).search(api.query)


@endpoint(
    routes,
    "GET",
    "/api/jobs/{job_id}",
    summary="A job posting, with its company's name",
    tag=TAG,
    auth=PUBLIC,
    response=schemas.Job,
)
async def get_job(api: ApiRequest) -> web.Response:
    # The same answer for every caller: served from this instance's cache of encoded postings
    # while it is kept honest (server/jobs/cache.py).
    job_id = api.path_id("job_id")

    async def read() -> CachedJob:
        job = await JobService(api.db).get(job_id)  # NotFound: nothing cached
        return CachedJob(encode_json(job), job.id, job.company_id)

    cached = await api.app[keys.JOBS].load(job_id, read)
    return web.Response(body=cached.body, content_type="application/json")


@endpoint(
    routes,
    "PATCH",
    "/api/jobs/{job_id}",
    summary="Edit a job (hiring members of its company); only the fields sent change",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.JobUpdate,
    response=schemas.Job,
)
async def update_job(api: ApiRequest) -> schemas.Job:
    return await JobService(api.db).update(api.user.user_id, api.path_id("job_id"), api.body)


@endpoint(
    routes,
    "POST",
    "/api/jobs/{job_id}/close",
    summary="Close a job: it stops taking applications",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Job,
    errors=(409,),
)
async def close_job(api: ApiRequest) -> schemas.Job:
    return await JobService(api.db).set_open(api.user.user_id, api.path_id("job_id"), False)


@endpoint(
    routes,
    "POST",
    "/api/jobs/{job_id}/reopen",
    summary="Reopen a closed job",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Job,
    errors=(409,),
)
async def reopen_job(api: ApiRequest) -> schemas.Job:
    return await JobService(api.db).set_open(api.user.user_id, api.path_id("job_id"), True)
