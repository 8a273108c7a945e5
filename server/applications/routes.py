"""HTTP routes for job applications (workflow 1 step 3, workflow 2 step 3)."""

from __future__ import annotations

import io

import defusedcsv.csv as defusedcsv
from aiohttp import web

from server.api import USER, VERIFIED, ApiRequest, endpoint
from server.applications import schemas, triage
from server.applications.notes import NoteService
from server.applications.service import ApplicationService
from server.applications.triage import TriageService
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
    errors=(409, 503),
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
    summary="A job's applicants for its hiring team: filter by status, sort by match score or "
    "date, with counts per status",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.ApplicantTriageQuery,
    response=schemas.ApplicantTriagePage,
    errors=(400, 403, 404),
)
async def list_job_applications(api: ApiRequest) -> schemas.ApplicantTriagePage:
    """`sort`: `newest` (default) or `oldest` by date of application, or `score`: best
    match first (the score of GET /api/jobs/{job_id}/candidates), newest first among equal
    scores. Each item carries `match` {score, reasons}; `counts` has every status, zero
    included, over all of the job's applications. Keyset paged: pass back `next` with the
    same `sort` (a cursor of another sort is 400). 404: no such job; 403: not an active admin
    or recruiter of its company."""
    return await TriageService(api.db).page(api.user.user_id, api.path_id("job_id"), api.query)


@endpoint(
    routes,
    "GET",
    "/api/jobs/{job_id}/applications/{application_id}",
    summary="One row of a job's applicants dashboard, as the list gives it (the hiring team)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.TriageApplicant,
    errors=(403, 404),
)
async def get_job_application_row(api: ApiRequest) -> schemas.TriageApplicant:
    """What the dashboard shows of a new applicant the moment they apply: the same query
    and numbers as the list's rows. Reading it does not mark the application viewed."""
    return await TriageService(api.db).get(
        api.user.user_id, api.path_id("job_id"), api.path_id("application_id")
    )


@endpoint(
    routes,
    "POST",
    "/api/jobs/{job_id}/applications/status",
    summary="Move up to 100 of a job's applications at once; says which moved and which were "
    "refused, and why",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.BulkStatusChange,
    response=schemas.BulkStatusResult,
    errors=(403, 404, 422, 503),
)
async def move_job_applications(api: ApiRequest) -> schemas.BulkStatusResult:
    """Each application goes through the state machine as a single move does (one step
    along the pipeline, or rejected), with its compare-and-set, and its candidate is
    notified; the others are `refused` with the reason: an illegal move, an application of
    another job (or none), one that moved meanwhile, or the caller's own application. 403 for
    `withdrawn` (the candidate's move) and for anyone outside the hiring team; 422 for more
    than 100 ids or an id listed twice (nothing moves); 503 when the move lost a deadlock to a
    conflicting change three times running (retry)."""
    return await TriageService(api.db).move_many(api.user.user_id, api.path_id("job_id"), api.body)


@endpoint(
    routes,
    "GET",
    "/api/jobs/{job_id}/applications.csv",
    summary="A job's applicants as CSV (the hiring team), filtered and sorted as the list",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.ApplicantExportQuery,
    response=None,
    errors=(403, 404),
)
async def export_job_applications(api: ApiRequest) -> web.StreamResponse:
    """Streamed in batches of 500. A cell that a spreadsheet would run as a formula (one
    starting with = + - @ | %) is written with a leading apostrophe (defusedcsv)."""
    job_id = api.path_id("job_id")
    batches = await TriageService(api.db).export(api.user.user_id, job_id, api.query)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="applicants-{job_id}.csv"',
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(api.request)
    buffer = io.StringIO()
    writer = defusedcsv.writer(buffer)
    writer.writerow(triage.CSV_HEADER)
    async for batch in batches:
        for applicant in batch:
            writer.writerow(triage.csv_fields(applicant, api.settings.public_url))
        await response.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


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


@endpoint(
    routes,
    "POST",
    "/api/applications/{application_id}/notes",
    summary="Add a private team note to an application (the hiring company's admins and "
    "recruiters)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.NoteCreate,
    response=schemas.Note,
    status=201,
    errors=(404, 422),
)
async def add_application_note(api: ApiRequest) -> schemas.Note:
    """Visible to the company's active admins and recruiters only; anyone else (the
    candidate included) gets 404, as for an application that does not exist."""
    return await NoteService(api.db).add(api.user.user_id, api.path_id("application_id"), api.body)


@endpoint(
    routes,
    "GET",
    "/api/applications/{application_id}/notes",
    summary="An application's private team notes, newest first (the hiring team)",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.NoteListQuery,
    response=schemas.NotePage,
    errors=(400, 404),
)
async def list_application_notes(api: ApiRequest) -> schemas.NotePage:
    """Each with its author's name and when it was written; keyset paged. 404 for anyone
    but the company's active admins and recruiters (the candidate included)."""
    return await NoteService(api.db).list_for(
        api.user.user_id, api.path_id("application_id"), api.query
    )
