"""Jobs: who may post and edit them, how their fields are normalised, and the board query."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg
import msgspec

from server.db import Database, fetch_all, like_contains
from server.errors import Conflict, Invalid, NotFound
from server.invalidation import key
from server.job_alerts.matching import queue_match
from server.jobs import schemas
from server.orgs.access import HIRE, require_org_role
from server.paging import AwareDatetime, decode_cursor, encode_cursor, keyset_page
from server.uploads.refs import FileRef, require_uploads

# The fields a job's editor controls; a PATCH merges into these and the whole result is
# validated again, so cross-field rules (salary range, currency) hold after every edit.
EDITABLE = (
    "title",
    "description",
    "skills_required",
    "attachments",
    "location",
    "employment_type",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
)


# Text search ranks the newest SEARCH_WINDOW matches at a time (sql/jobs/jobs.sql,
# search_jobs; docs/jobs-and-applications.md, "Search at scale"): what a page costs is
# bounded by this, not by how many jobs match. At least MAX_LIMIT + 1, so one page spans at
# most two windows.
SEARCH_WINDOW = 200


# The board's result count stops here ("1,000+"): sql/jobs/board_count.sql says why.
COUNT_CAP = 1000

# The open board filtered by skills alone (list_open_jobs_by_skills): the newest SKILLS_SCAN
# open jobs are tested first, and only a combination too rare to fill a page there is read
# from the skills index. The other filters go through list_jobs.
SKILLS_SCAN = 10_000
NOT_SKILLS = ("company_id", "employment_type", "remote", "location_pattern")


class SearchWindow(NamedTuple):
    """Where a window of text-search matches lies. A new window: the SEARCH_WINDOW newest
    matches below (before_at, before_id), exclusive (none for the first). Once its first
    page has run: from its newest match (top) down to its oldest (floor), both inclusive;
    `older`: whether matches older than the floor remain (the window was full)."""

    before_at: datetime | None = None
    before_id: uuid.UUID | None = None
    top_at: datetime | None = None
    top_id: uuid.UUID | None = None
    floor_at: datetime | None = None
    floor_id: uuid.UUID | None = None
    older: bool = False


# top_at, top_id, floor_at, floor_id, older, then the last (rank, id) shown (none: the
# window's first page)
SEARCH_CURSOR = (
    AwareDatetime,
    uuid.UUID,
    AwareDatetime,
    uuid.UUID,
    bool,
    float | None,
    uuid.UUID | None,
)


def to_job(row: asyncpg.Record) -> schemas.Job:
    return msgspec.convert(dict(row), schemas.Job)


def clean_skills(skills: list[str], field: str) -> list[str]:
    """Trim and collapse inner whitespace, drop case-insensitive repeats (first spelling wins)."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for index, raw in enumerate(skills):
        skill = " ".join(raw.split())
        if not skill:
            raise Invalid.field(f"{field}[{index}]", "must not be blank")
        if skill.lower() not in seen:
            seen.add(skill.lower())
            cleaned.append(skill)
    return cleaned


def normalise(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim the free-text fields and check the rules that span fields; 422 names the field."""
    for name in ("title", "description"):
        fields[name] = fields[name].strip()
        if not fields[name]:
            raise Invalid.field(name, "must not be blank")
    location = (fields["location"] or "").strip()
    fields["location"] = location or None
    fields["skills_required"] = clean_skills(fields["skills_required"], "skills_required")
    low, high, currency = fields["salary_min"], fields["salary_max"], fields["salary_currency"]
    if low is not None and high is not None and low > high:
        raise Invalid.field("salary_max", "must be greater than or equal to salary_min")
    has_salary = low is not None or high is not None
    if has_salary and currency is None:
        raise Invalid.field("salary_currency", "is required with salary_min or salary_max")
    if not has_salary and currency is not None:
        raise Invalid.field("salary_currency", "only applies with salary_min or salary_max")
    return fields


def attachment_refs(attachments: list[schemas.JobAttachment]) -> list[FileRef]:
    """Each attachment is an uploaded file of the kind its `type` says."""
    return [
        FileRef(f"body.attachments[{i}].url", item.url, "job_attachment", (item.type,))
        for i, item in enumerate(attachments)
    ]


class JobService:
    def __init__(self, db: Database):
        self.db = db

    async def _require_hiring_member(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, job_id: uuid.UUID, action: str
    ) -> None:
        company_id = await self.db.q.jobs.get_job_company(conn, job_id=job_id)
        if company_id is None:
            raise NotFound("no such job")
        await require_org_role(self.db, conn, user_id, company_id, HIRE, action)

    async def _get(self, conn: asyncpg.Connection, job_id: uuid.UUID) -> schemas.Job:
        row = await self.db.q.jobs.get_job(conn, job_id=job_id)
        if row is None:
            raise NotFound("no such job")
        return to_job(row)

    async def create(self, poster_id: uuid.UUID, body: schemas.JobCreate) -> schemas.Job:
        """Workflow 1, step 2: an active admin or recruiter of a company posts a job."""
        fields = normalise({name: getattr(body, name) for name in EDITABLE})
        q = self.db.q.jobs
        async with self.db.transaction() as tx:
            org_type = await q.get_organization_type(tx.conn, organization_id=body.company_id)
            if org_type is None:
                raise Invalid.field("company_id", "no such organization")
            if org_type != "company":
                raise Invalid.field("company_id", "only companies post jobs, not institutes")
            await require_org_role(
                self.db, tx.conn, poster_id, body.company_id, HIRE, "post its jobs"
            )
            await require_uploads(
                self.db, tx.conn, poster_id, attachment_refs(fields["attachments"])
            )
            job_id = await q.insert_job(
                tx.conn, company_id=body.company_id, poster_id=poster_id, **fields
            )
            await queue_match(self.db, tx, job_id)  # job alerts (docs/job-alerts.md)
            return await self._get(tx.conn, job_id)

    async def get(self, job_id: uuid.UUID) -> schemas.Job:
        async with self.db.statement() as conn:
            return await self._get(conn, job_id)

    async def update(
        self, user_id: uuid.UUID, job_id: uuid.UUID, body: schemas.JobUpdate
    ) -> schemas.Job:
        q = self.db.q.jobs
        async with self.db.transaction() as tx:
            company_id = await q.lock_job(tx.conn, job_id=job_id)
            if company_id is None:
                raise NotFound("no such job")
            await require_org_role(self.db, tx.conn, user_id, company_id, HIRE, "edit its jobs")
            current = await self._get(tx.conn, job_id)
            changes = {
                name: value
                for name, value in msgspec.structs.asdict(body).items()
                if value is not msgspec.UNSET
            }
            if not changes:
                return current
            fields = normalise({name: getattr(current, name) for name in EDITABLE} | changes)
            if "attachments" in changes:
                # Attachments already on the job (perhaps a colleague's) may stay.
                keep = {item.url for item in current.attachments}
                await require_uploads(
                    self.db, tx.conn, user_id, attachment_refs(fields["attachments"]), keep
                )
            await q.update_job(tx.conn, job_id=job_id, **fields)
            tx.invalidate(key("job", job_id))
            return await self._get(tx.conn, job_id)

    async def set_open(self, user_id: uuid.UUID, job_id: uuid.UUID, is_open: bool) -> schemas.Job:
        """Close (stop taking applications) or reopen a job; a no-op move is 409."""
        q = self.db.q.jobs
        action = "reopen its jobs" if is_open else "close its jobs"
        async with self.db.transaction() as tx:
            await self._require_hiring_member(tx.conn, user_id, job_id, action)
            change = q.reopen_job if is_open else q.close_job
            if await change(tx.conn, job_id=job_id) is None:
                raise Conflict(f"the job is already {'open' if is_open else 'closed'}")
            if is_open:
                await queue_match(self.db, tx, job_id)  # a reopened job alerts too
            tx.invalidate(key("job", job_id))
            return await self._get(tx.conn, job_id)

    async def search(self, query: schemas.JobSearchQuery) -> schemas.JobPage:
        """The public board: full-text ranked when ``q`` is given, newest first otherwise."""
        # lowered in SQL, by the same lower() the skills index uses
        skills = clean_skills([s for s in query.skills if s.strip()], "skills") or None
        location = (query.location or "").strip()
        params: dict[str, Any] = {
            "status": query.status,
            "company_id": query.company_id,
            "employment_type": query.employment_type,
            "remote": query.remote,
            "skills_all": skills if query.skills_match == "all" else None,
            "skills_any": skills if query.skills_match == "any" else None,
            "location_pattern": like_contains(location) if location else None,
            # one row more than the page tells whether there is a next page
            "limit": query.limit + 1,
        }
        text = (query.q or "").strip()
        if text:
            return await self._search_text(text, query.cursor, query.limit, params)
        after = decode_cursor(query.cursor, (AwareDatetime, uuid.UUID))
        after_created_at, after_id = after if after else (None, None)
        q = self.db.q.jobs
        async with self.db.connection() as conn:
            # `is None`: remote=false is a filter too (it was dropped here before issue 15)
            if skills and query.status == "open" and all(params[f] is None for f in NOT_SKILLS):
                rows = await fetch_all(
                    q.list_open_jobs_by_skills,
                    conn,
                    skills_all=params["skills_all"],
                    skills_any=params["skills_any"],
                    after_created_at=after_created_at,
                    after_id=after_id,
                    scan=SKILLS_SCAN,
                    limit=params["limit"],
                )
            else:
                rows = await fetch_all(
                    q.list_jobs,
                    conn,
                    after_created_at=after_created_at,
                    after_id=after_id,
                    **params,
                )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["created_at"], r["id"]))
        return schemas.JobPage(items=[to_job(row) for row in page], next=next_cursor)

    async def count(self, query: schemas.JobSearchQuery) -> int:
        """How many jobs the board shows for ``query``, at most COUNT_CAP + 1."""
        skills = clean_skills([s for s in query.skills if s.strip()], "skills") or None
        location = (query.location or "").strip()
        async with self.db.connection() as conn:
            return await self.db.q.jobs.count_board_jobs(
                conn,
                q=(query.q or "").strip() or None,
                status=query.status,
                company_id=query.company_id,
                employment_type=query.employment_type,
                remote=query.remote,
                skills_all=skills if query.skills_match == "all" else None,
                skills_any=skills if query.skills_match == "any" else None,
                location_pattern=like_contains(location) if location else None,
                cap=COUNT_CAP,
            )

    async def _search_text(
        self, text: str, cursor: str | None, limit: int, params: dict[str, Any]
    ) -> schemas.JobPage:
        """Ranked pages, window by window (sql/jobs/jobs.sql, search_jobs): each window is the
        SEARCH_WINDOW newest matches below the previous one, ranked; a page that empties a
        window goes on into the next. The cursor names the window (its newest and oldest match,
        whether older matches remain) and the last (rank, id) shown in it."""
        state = decode_cursor(cursor, SEARCH_CURSOR)
        window = SearchWindow(None, None, *state[:5]) if state else SearchWindow()
        after_rank, after_id = state[5:] if state else (None, None)
        found: list[tuple[asyncpg.Record, SearchWindow]] = []
        async with self.db.connection() as conn:
            while True:
                bounds = window._asdict()
                del bounds["older"]
                rows = await fetch_all(
                    self.db.q.jobs.search_jobs,
                    conn,
                    q=text,
                    after_rank=after_rank,
                    after_id=after_id,
                    # A later page of a window reads its range [floor, top] with room to
                    # spare: jobs that entered it since its first page (reopened, edited to
                    # match) must not push its oldest matches out below the floor, where the
                    # next window would never look. Still bounded: twice the window.
                    pool=SEARCH_WINDOW if window.floor_at is None else 2 * SEARCH_WINDOW,
                    **bounds,
                    **{**params, "limit": params["limit"] - len(found)},
                )
                if rows and window.floor_at is None:  # a new window: its bounds
                    first = rows[0]
                    window = SearchWindow(
                        top_at=first["window_top_at"],
                        top_id=first["window_top_id"],
                        floor_at=first["window_floor_at"],
                        floor_id=first["window_floor_id"],
                        older=first["window_size"] >= SEARCH_WINDOW,
                    )
                found += [(row, window) for row in rows]
                if len(found) > limit or (not rows and window.floor_at is None):
                    break
                if not window.older:
                    break
                # this window is used up: the next one starts below its oldest match
                window = SearchWindow(before_at=window.floor_at, before_id=window.floor_id)
                after_rank, after_id = None, None
        page = found[:limit]
        next_cursor = None
        if len(found) > limit:
            last, last_window = page[-1]
            following = found[limit][1]
            if following != last_window:  # the page used its window up: start at the next
                next_cursor = encode_cursor(*following[2:], None, None)
            else:
                next_cursor = encode_cursor(*last_window[2:], last["rank"], last["id"])
        return schemas.JobPage(items=[to_job(row) for row, _ in page], next=next_cursor)
