"""Pages for the job board (workflow 2) and for companies that hire (workflow 1)."""

from __future__ import annotations

import uuid
from typing import Any

from server.applications import schemas as app_schemas
from server.applications import states
from server.applications.service import ApplicationService
from server.errors import BadRequest, NotFound
from server.jobs import schemas as job_schemas
from server.jobs.service import COUNT_CAP, JobService
from server.matching.schemas import MAX_RESULTS
from server.matching.service import MatchingService
from server.orgs import schemas as org_schemas
from server.orgs.access import HIRE
from server.orgs.memberships import MembershipService
from server.orgs.service import OrganizationService
from server.pages.web import PageRequest, page
from server.saved_jobs.service import SavedJobService

# One row of cards on a desktop board; on a phone the results still start near the top.
BOARD_RECOMMENDATIONS = 4

EMPLOYMENT_TYPES = (
    ("full_time", "Full time"),
    ("part_time", "Part time"),
    ("internship", "Internship"),
    ("contract", "Contract"),
)


def company_next(status: str) -> tuple[str, ...]:
    return states.next_statuses(status, states.COMPANY)  # type: ignore[arg-type]


async def hiring_companies(p: PageRequest) -> list[org_schemas.MyMembership]:
    mine = await MembershipService(p.db).list_for_user(
        p.user.id, org_schemas.MembershipListQuery(status="active", limit=100)
    )
    return [m for m in mine.items if m.organization.type == "company" and m.role_in_org in HIRE]


async def may_hire(p: PageRequest, company_id: uuid.UUID) -> bool:
    return await OrganizationService(p.db).has_role(p.user.id, company_id, HIRE)


@page("/jobs", "jobs.html", login=False)
async def job_board(p: PageRequest) -> dict[str, Any]:
    query, errors = p.query(job_schemas.JobSearchQuery, drop=("status", "company_id"))
    results = None
    if not errors:
        try:
            results = await JobService(p.db).search(query)
        except BadRequest:  # a stale or hand-edited cursor: show the first page
            query.cursor = None
            results = await JobService(p.db).search(query)
    recommended = None
    unfiltered = not (query.q or query.skills or query.location or query.cursor)
    if p.viewer is not None and p.viewer.has("student", "professional") and unfiltered:
        matching = MatchingService(p.db)
        recommended = (await matching.recommended(p.viewer.id, BOARD_RECOMMENDATIONS)).items
    # issue 15 (H3): the result count, the viewer's saved/applied marks, the alert search
    count = await JobService(p.db).count(query) if results is not None else None
    marks = None
    if p.viewer is not None and results is not None:
        shown = [job.id for job in results.items] + [r.job.id for r in recommended or ()]
        marks = await SavedJobService(p.db).marks(p.viewer.id, shown)
    return {
        "query": query,
        "results": results,
        "recommended": recommended,
        "errors": errors,
        "employment_types": EMPLOYMENT_TYPES,
        "skills_text": ", ".join(query.skills),
        "count": count,
        "count_cap": COUNT_CAP,
        "marks": marks,
        "alert_search": alert_search(query),
    }


def alert_search(query: job_schemas.JobSearchQuery) -> dict[str, Any]:
    """The board's filters as a job alert's body (POST /api/me/job-alerts), set ones only."""
    search = {
        "q": (query.q or "").strip() or None,
        "skills": query.skills or None,
        "skills_match": query.skills_match if query.skills else None,
        "location": (query.location or "").strip() or None,
        "employment_type": query.employment_type,
        "remote": query.remote,
    }
    return {name: value for name, value in search.items() if value is not None}


@page("/jobs/new", "job_new.html")
async def new_job(p: PageRequest) -> dict[str, Any]:
    companies = await hiring_companies(p)
    options = [(str(m.organization.id), m.organization.name) for m in companies]
    return {
        "companies": companies,
        "company_options": options,
        "chosen": p.request.query.get("company_id", ""),
        "employment_types": EMPLOYMENT_TYPES,
    }


@page("/jobs/{job_id}/edit", "job_new.html")
async def edit_job(p: PageRequest) -> dict[str, Any]:
    job = await JobService(p.db).get(p.path_id("job_id"))
    await OrganizationService(p.db).require_role(p.user.id, job.company_id, HIRE, "edit its jobs")
    return {"job": job, "employment_types": EMPLOYMENT_TYPES}


@page("/jobs/{job_id}", "job.html", login=False)
async def job_page(p: PageRequest) -> dict[str, Any]:
    job = await JobService(p.db).get(p.path_id("job_id"))
    mine = None
    can_hire = False
    if p.viewer is not None:
        if p.viewer.has("student", "professional"):
            mine = await my_application_for(p, job.id)
        can_hire = await may_hire(p, job.company_id)
    saved = await SavedJobService(p.db).is_saved(p.viewer.id, job.id) if p.viewer else None
    return {"job": job, "application": mine, "can_hire": can_hire, "saved": saved}


async def my_application_for(p: PageRequest, job_id: uuid.UUID) -> app_schemas.Application | None:
    query = app_schemas.ApplicationListQuery(limit=100)
    page_ = await ApplicationService(p.db).list_mine(p.user.id, query)
    return next((a for a in page_.items if a.job_id == job_id), None)


@page("/jobs/{job_id}/applicants", "applicants.html")
async def applicants(p: PageRequest) -> dict[str, Any]:
    """Workflow 1, step 3: the hiring team's dashboard for one job; new ones arrive live."""
    job_id = p.path_id("job_id")
    listing = await ApplicationService(p.db).list_for_job(
        p.user.id, job_id, app_schemas.ApplicationListQuery(limit=100)
    )
    job = await JobService(p.db).get(job_id)
    ranked = await MatchingService(p.db).candidates(p.user.id, job_id, MAX_RESULTS)
    fit = {c.application_id: c for c in ranked.items}
    return {"job": job, "applicants": listing.items, "fit": fit, "next_statuses": company_next}


@page("/applications", "my_applications.html")
async def my_applications(p: PageRequest) -> dict[str, Any]:
    listing = await ApplicationService(p.db).list_mine(
        p.user.id, app_schemas.ApplicationListQuery(limit=100)
    )
    return {"applications": listing.items, "open_statuses": states.OPEN}


@page("/hiring", "hiring.html")
async def hiring(p: PageRequest) -> dict[str, Any]:
    """Every company the viewer hires for, each with its jobs (open first, then closed) and
    how many applied to each."""
    companies = await hiring_companies(p)
    jobs: dict[uuid.UUID, list[job_schemas.Job]] = {}
    counts: dict[uuid.UUID, app_schemas.ApplicantCount] = {}
    service = JobService(p.db)
    for membership in companies:
        company_id = membership.organization.id
        jobs[company_id] = []
        for status in ("open", "closed"):
            query = job_schemas.JobSearchQuery(company_id=company_id, status=status, limit=100)
            jobs[company_id] += (await service.search(query)).items
        counts |= await ApplicationService(p.db).counts_for_company(p.user.id, company_id)
    return {"companies": companies, "jobs": jobs, "counts": counts}


@page("/companies/new", "company_new.html")
async def new_company(p: PageRequest) -> dict[str, Any]:
    return {"org_type": "institute" if p.request.query.get("type") == "institute" else "company"}


@page("/companies/{organization_id}", "company.html", login=False)
async def company_page(p: PageRequest) -> dict[str, Any]:
    org_id = p.path_id("organization_id")
    org = await OrganizationService(p.db).get(org_id)
    if org.type != "company":
        raise NotFound("no such company")
    query = job_schemas.JobSearchQuery(company_id=org_id, limit=100)
    jobs = (await JobService(p.db).search(query)).items
    can_hire = p.viewer is not None and await may_hire(p, org_id)
    return {"org": org, "jobs": jobs, "can_hire": can_hire}
