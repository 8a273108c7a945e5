"""HTTP routes for job applications (workflow 1 step 3, workflow 2 step 3)."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, VERIFIED, ApiRequest, endpoint
from server.applications import schemas
from server.applications.service import ApplicationService
from server.auth.middleware import CSRF_HEADER
from server.auth.tokens import csrf_ok

routes = web.RouteTableDef()
TAG = "applications"


@endpoint(
    routes,
    "POST",
    "/api/jobs/{job_id}/applications",
    summary="Apply to an open job (students and professionals, once per job)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.ApplicationCreate,
    response=schemas.Application,
    status=201,
    errors=(409,),
)
async def apply_to_job(api: ApiRequest) -> schemas.Application:
    return await ApplicationService(api.db).apply(
        api.user.user_id, api.user.roles, api.path_id("job_id"), api.body
    )


@endpoint(
    routes,
    "GET",
    "/api/me/applications",
    summary="My applications, newest first, with job title and company name",
    tag=TAG,
    auth=USER,
    query=schemas.ApplicationListQuery,
    response=schemas.ApplicationPage,
)
async def list_my_applications(api: ApiRequest) -> schemas.ApplicationPage:
    return await ApplicationService(api.db).list_mine(api.user.user_id, api.query)


@endpoint(
    routes,
    "GET",
    "/api/jobs/{job_id}/applications",
    summary="A job's applicants with their profiles (the company's admins and recruiters)",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.ApplicationListQuery,
    response=schemas.ApplicantPage,
)
async def list_job_applications(api: ApiRequest) -> schemas.ApplicantPage:
    return await ApplicationService(api.db).list_for_job(
        api.user.user_id, api.path_id("job_id"), api.query
    )


@endpoint(
    routes,
    "GET",
    "/api/applications/{application_id}",
    summary="One application, for its candidate or the hiring company",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Applicant,
)
async def get_application(api: ApiRequest) -> schemas.Applicant:
    """Anyone else gets 404. A hiring member opening a `submitted` application marks it
    `viewed` (cookie sessions: only when the request carries X-CSRF-Token, since another
    site can make a browser send a GET)."""
    caller = api.user
    mark_viewed = not caller.via_cookie or csrf_ok(
        api.settings.secret_key, caller.session_id, api.request.headers.get(CSRF_HEADER)
    )
    return await ApplicationService(api.db).open(
        caller.user_id, api.path_id("application_id"), mark_viewed
    )


@endpoint(
    routes,
    "POST",
    "/api/applications/{application_id}/status",
    summary="Move an application: the company along the pipeline or to rejected; "
    "the candidate to withdrawn",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.ApplicationStatusChange,
    response=schemas.Applicant,
    errors=(409,),
)
async def change_application_status(api: ApiRequest) -> schemas.Applicant:
    """submitted → viewed → shortlisted → interviewing → offered → hired; rejected (company)
    or withdrawn (candidate) from any open state. An illegal move is 409 and names the
    allowed next states; a move that is not the caller's to make is 403."""
    return await ApplicationService(api.db).move(
        api.user.user_id, api.path_id("application_id"), api.body.status
    )
