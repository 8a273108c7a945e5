"""Pages for the job board (workflow 2) and for companies that hire (workflow 1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from server import keys
from server.applications import schemas as app_schemas
from server.applications import states
from server.applications.service import ApplicationService
from server.applications.triage import TriageService
from server.errors import BadRequest, NotFound
from server.jobs import schemas as job_schemas
from server.jobs.service import COUNT_CAP, JobService
from server.matching.schemas import JobMatch
from server.matching.service import MatchingService
from server.orgs import schemas as org_schemas
from server.orgs.access import HIRE
from server.orgs.memberships import MembershipService
from server.orgs.service import OrganizationService
from server.pages.web import PageRequest, page
from server.paging import representable
from server.profiles.service import ProfileService
from server.saved_jobs.service import SavedJobService
from server.uploads.schemas import Upload, UploadListQuery
from server.uploads.service import UploadService

# The applicants dashboard's page size (the API's largest), and its sorts as the page names them.
DASHBOARD_PAGE = 100
SORTS = (("newest", "Newest"), ("oldest", "Oldest"), ("score", "Best match"))

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
    query, errors = p.query(job_schemas.JobSearchQuery, drop=("status",))
    # One company's jobs (the alerts page's "see jobs" for a company alert): shown as an
    # active filter with its name and a link without it. An id that is no organization is
    # dropped rather than answered with an empty board.
    company = None
    if query.company_id is not None:
        try:
            company = await OrganizationService(p.db).get(query.company_id)
        except NotFound:
            query.company_id = None
    results = None
    if not errors:
        try:
            results = await JobService(p.db).search(query)
        except BadRequest:  # a stale or hand-edited cursor: show the first page
            query.cursor = None
            results = await JobService(p.db).search(query)
    recommended = None
    unfiltered = not (query.q or query.skills or query.location or query.company_id or query.cursor)
    if p.viewer is not None and p.viewer.has("student", "professional") and unfiltered:
        matching = MatchingService(p.db)
        recommended = (await matching.recommended(p.viewer.id, BOARD_RECOMMENDATIONS)).items
    # issue 15 (H3): the result count, the viewer's saved/applied marks, the alert search
    count = await JobService(p.db).count(query) if results is not None else None
    marks = None
    if p.viewer is not None and results is not None:
        shown = [job.id for job in results.items] + [r.job.id for r in recommended or ()]
        marks = await SavedJobService(p.db).marks(p.viewer.id, shown)
    search = alert_search(query)
    if company is not None:
        search["company_id"] = str(company.id)
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
        "alert_search": search,
        "company": company,
        "without_company": str(p.request.rel_url.without_query_params("company_id", "cursor")),
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
    """A job; for a candidate also how they match it, and either their application (which
    resume, when) or the form to apply with a resume of their choice."""
    job = await JobService(p.db).get(p.path_id("job_id"))
    mine = None
    can_hire = False
    match = None
    resumes: ResumeChoices | None = None
    if p.viewer is not None:
        candidate = p.viewer.has("student", "professional")
        if candidate:
            mine = await my_application_for(p, job.id)
        can_hire = await may_hire(p, job.company_id)
        if candidate and not can_hire:
            match = await my_match(p, job.id)
            if mine is None and job.status == "open":
                resumes = await resume_choices(p)
    saved = await SavedJobService(p.db).is_saved(p.viewer.id, job.id) if p.viewer else None
    return {
        "job": job,
        "application": mine,
        "can_hire": can_hire,
        "match": match,
        "resumes": resumes,
        "saved": saved,
    }


async def my_application_for(p: PageRequest, job_id: uuid.UUID) -> app_schemas.Application | None:
    return await ApplicationService(p.db).mine_for_job(p.user.id, job_id)


async def my_match(p: PageRequest, job_id: uuid.UUID) -> JobMatch | None:
    try:
        return await MatchingService(p.db).for_job(p.user.id, job_id)
    except NotFound:  # no profile yet: nothing to explain
        return None


@dataclass(frozen=True)
class ResumeChoices:
    """What the apply form offers: the profile's resume (preselected) and the viewer's other
    completed resume uploads, newest first."""

    on_profile: str | None
    uploads: list[Upload]

    def options(self) -> list[tuple[str, str]]:
        """(url, label) for the picker: the profile's resume first, then the others with the
        day each was uploaded, so two files of the same name are told apart."""
        named = {u.url: u for u in self.uploads}
        options = []
        if self.on_profile:
            upload = named.get(self.on_profile)
            options.append(
                (
                    self.on_profile,
                    f"{upload.filename if upload else 'Your resume'} · on your profile",
                )
            )
        for u in self.uploads:
            if u.url and u.url != self.on_profile and u.completed_at:
                options.append((u.url, f"{u.filename} · uploaded {u.completed_at:%-d %b %Y}"))
        return options


# Resumes offered on the apply form: more than anyone keeps; an older one can still be
# named over the API (POST /api/jobs/{id}/applications, resume_url).
RESUME_CHOICES = 20


async def resume_choices(p: PageRequest) -> ResumeChoices:
    profile = await ProfileService(p.db).get(p.user.id, True, p.user.id)
    app = p.request.app
    uploads = await UploadService(p.db, app[keys.STORAGE], app[keys.SETTINGS]).list_own(
        p.user.id, UploadListQuery(purpose="resume", status="complete", limit=RESUME_CHOICES)
    )
    on_profile = profile.resume_url if isinstance(profile.resume_url, str) else None
    return ResumeChoices(on_profile=on_profile, uploads=uploads.items)


def triage_query(p: PageRequest) -> app_schemas.ApplicantTriageQuery:
    """The dashboard's filter, sort and cursor from its URL (a bad value: the default view,
    not an error: the dashboard has no form to show one in)."""
    data = {k: v for k in ("status", "sort", "cursor") if (v := p.request.query.get(k, "").strip())}
    try:
        query = msgspec.convert(data, app_schemas.ApplicantTriageQuery, strict=False)
    except msgspec.ValidationError:
        query = app_schemas.ApplicantTriageQuery()
    query.limit = DASHBOARD_PAGE
    return query


def since(p: PageRequest) -> datetime | None:
    """The dashboard's `since` (an aware ISO time, not in the future), or None when absent,
    malformed or out of range."""
    try:
        value = datetime.fromisoformat(p.request.query.get("since", ""))
    except ValueError:
        return None
    # A hand-edited link: ignored, never a time PostgreSQL or the templates cannot represent
    # (the rule of cursors).
    if not representable(value) or value > datetime.now(UTC):
        return None
    return value


@page("/jobs/{job_id}/applicants", "applicants.html")
async def applicants(p: PageRequest) -> dict[str, Any]:
    """Workflow 1, step 3: the hiring team's dashboard for one job (issue 15, item 4): filter
    by status, sort by match or date, select rows to move them together, team notes; new
    applicants arrive live. Opening it records the visit ("new since your last visit")."""
    job_id = p.path_id("job_id")
    query = triage_query(p)
    triage = TriageService(p.db)
    # The visit is recorded on every load, before the rows are read: an application that
    # arrives between the two is on the page, or counted new on the next visit, never lost.
    # Within the dashboard (filter, sort, pages) the links carry `since`, the visit before,
    # so the rows new to the viewer stay marked.
    previous_visit = await triage.visit(p.user.id, job_id)
    try:
        listing = await triage.page(p.user.id, job_id, query)
    except BadRequest:  # a stale or hand-edited cursor: show the first page
        query.cursor = None
        listing = await triage.page(p.user.id, job_id, query)
    job = await JobService(p.db).get(job_id)
    last_visit = since(p) or previous_visit
    return {
        "job": job,
        "applicants": listing.items,
        "counts": listing.counts,
        "total": sum(listing.counts.values()),
        "next": listing.next,
        "query": query,
        "last_visit": last_visit,
        "statuses": states.STATUSES,
        "sorts": SORTS,
        "bulk_targets": [s for s in states.STATUSES if s not in ("submitted", "withdrawn")],
        "next_statuses": company_next,
    }


@page("/applications", "my_applications.html")
async def my_applications(p: PageRequest) -> dict[str, Any]:
    listing = await ApplicationService(p.db).list_mine(
        p.user.id, app_schemas.ApplicationListQuery(limit=100)
    )
    return {"applications": listing.items, "open_statuses": states.OPEN}


@page("/hiring", "hiring.html")
async def hiring(p: PageRequest) -> dict[str, Any]:
    """Every company the viewer hires for, each with its jobs (open first, then closed), and
    for each job its applications per status and how many arrived since the viewer last
    opened its applicants."""
    companies = await hiring_companies(p)
    jobs: dict[uuid.UUID, list[job_schemas.Job]] = {}
    summaries: dict[uuid.UUID, app_schemas.JobTriageSummary] = {}
    service = JobService(p.db)
    for membership in companies:
        company_id = membership.organization.id
        jobs[company_id] = []
        for status in ("open", "closed"):
            query = job_schemas.JobSearchQuery(company_id=company_id, status=status, limit=100)
            jobs[company_id] += (await service.search(query)).items
        summaries |= await TriageService(p.db).summaries(p.user.id, company_id)
    return {
        "companies": companies,
        "jobs": jobs,
        "summaries": summaries,
        "pipeline": [s for s in states.STATUSES if s != "withdrawn"],
    }


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
