"""Recruiter triage (issue 15, item 4): a job's applicants for its hiring team, filtered by
status and sorted by match score or date with counts per status; bulk status moves; the CSV
export; visits, for "new since your last visit".

Every call here is for the job's hiring team (active admins and recruiters of its company):
404 for a job that does not exist, 403 for anyone else, as the single-application routes.
A page is the keys of its rows (one index walk, sql/applications/triage.sql) and then the
rows themselves with their match (``list_job_applicants_by_ids``), the query the live row of
a new applicant reads too, so a live row and a reloaded one carry the same numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from server.applications import events, schemas, states
from server.applications.service import retry_deadlock
from server.db import Database, fetch_all
from server.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from server.matching.schemas import MatchReasons
from server.notifications.service import NotificationService
from server.orgs.access import HIRE, require_org_role
from server.paging import AwareDatetime, decode_cursor, encode_cursor

EXPORT_BATCH = 500
NOT_THIS_JOB = "no such application for this job"


def _cursor_types(sort: str) -> tuple[type, ...]:
    if sort == "score":
        return (str, float, AwareDatetime, uuid.UUID)
    return (str, AwareDatetime, uuid.UUID)


def _cursor(sort: str, row: asyncpg.Record) -> str:
    if sort == "score":
        return encode_cursor(sort, row["match_score"], row["submitted_at"], row["id"])
    return encode_cursor(sort, row["submitted_at"], row["id"])


def _after(sort: str, cursor: str | None) -> dict[str, Any]:
    """The keyset parameters of the page after ``cursor``; a cursor made for another sort
    is refused (400) rather than silently read as this one."""
    after = {"after_submitted_at": None, "after_id": None}
    if sort == "score":
        after["after_score"] = None
    values = decode_cursor(cursor, _cursor_types(sort))
    if values is None:
        return after
    if values[0] != sort:
        raise BadRequest("invalid cursor: it was made for another sort; start from the first page")
    if sort == "score":
        return {"after_score": values[1], "after_submitted_at": values[2], "after_id": values[3]}
    return {"after_submitted_at": values[1], "after_id": values[2]}


def to_triage_applicant(row: asyncpg.Record, viewer: uuid.UUID) -> schemas.TriageApplicant:
    """One dashboard row as ``viewer`` sees it: a candidate who joined the hiring team does not
    learn how many notes the team keeps on their own application (notes.py hides the notes)."""
    data = dict(row)
    data["skills"] = row["skills"] or {}
    if row["candidate_id"] == viewer:
        data["note_count"] = 0
    data["match"] = schemas.ApplicantMatch(
        score=round(row["score"], 4),
        reasons=MatchReasons(
            matched_skills=list(row["matched"]),
            verified_skills=list(row["matched_verified"]),
            missing_skills=list(row["missing"]),
            skill_score=round(row["skill_score"], 4),
            text_score=round(row["text_score"], 4),
        ),
    )
    return msgspec.convert(data, schemas.TriageApplicant)


def all_counts(rows: Sequence[asyncpg.Record], key: str = "n") -> dict[str, int]:
    counts = dict.fromkeys(states.STATUSES, 0)
    for row in rows:
        counts[row["status"]] += row[key]
    return counts


class TriageService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.applications
        self.notifications = NotificationService(db)

    async def _require_team(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, job_id: uuid.UUID, action: str
    ) -> uuid.UUID:
        company_id = await self.db.q.jobs.get_job_company(conn, job_id=job_id)
        if company_id is None:
            raise NotFound("no such job")
        await require_org_role(self.db, conn, user_id, company_id, HIRE, action)
        return company_id

    async def _keys(
        self,
        conn: asyncpg.Connection,
        job_id: uuid.UUID,
        status: str | None,
        sort: str,
        limit: int,
        after: dict[str, Any],
    ) -> list[asyncpg.Record]:
        query = {
            "score": self.q.list_job_applicant_keys_by_score,
            "newest": self.q.list_job_applicant_keys_newest,
            "oldest": self.q.list_job_applicant_keys_oldest,
        }[sort]
        return await fetch_all(query, conn, job_id=job_id, status=status, limit=limit, **after)

    async def _rows(
        self,
        conn: asyncpg.Connection,
        viewer: uuid.UUID,
        job_id: uuid.UUID,
        ids: list[uuid.UUID],
    ) -> list[schemas.TriageApplicant]:
        """The dashboard rows of ``ids`` as ``viewer`` sees them, in the order of ``ids``."""
        if not ids:
            return []
        rows = await fetch_all(self.q.list_job_applicants_by_ids, conn, job_id=job_id, ids=ids)
        by_id = {row["id"]: row for row in rows}
        return [to_triage_applicant(by_id[i], viewer) for i in ids if i in by_id]

    async def page(
        self, user_id: uuid.UUID, job_id: uuid.UUID, query: schemas.ApplicantTriageQuery
    ) -> schemas.ApplicantTriagePage:
        after = _after(query.sort, query.cursor)
        async with self.db.connection() as conn:
            await self._require_team(conn, user_id, job_id, "see its job applications")
            # One snapshot: the rows, their filter and the counts agree with each other.
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                keys = await self._keys(
                    conn, job_id, query.status, query.sort, query.limit + 1, after
                )
                page = keys[: query.limit]
                items = await self._rows(conn, user_id, job_id, [k["id"] for k in page])
                counts = await fetch_all(
                    self.q.count_job_applications_by_status, conn, job_id=job_id
                )
        next_cursor = _cursor(query.sort, page[-1]) if len(keys) > query.limit else None
        return schemas.ApplicantTriagePage(items=items, counts=all_counts(counts), next=next_cursor)

    async def get(
        self, user_id: uuid.UUID, job_id: uuid.UUID, application_id: uuid.UUID
    ) -> schemas.TriageApplicant:
        """One dashboard row (a new applicant's live row reads it)."""
        async with self.db.connection() as conn:
            await self._require_team(conn, user_id, job_id, "see its job applications")
            rows = await self._rows(conn, user_id, job_id, [application_id])
        if not rows:
            raise NotFound(NOT_THIS_JOB)
        return rows[0]

    async def export(
        self, user_id: uuid.UUID, job_id: uuid.UUID, query: schemas.ApplicantExportQuery
    ) -> AsyncIterator[list[schemas.TriageApplicant]]:
        """Every applicant of the job in the asked order, in batches (each batch its own
        short read, so a large export holds no connection between writes). The caller is
        checked before the first batch."""
        async with self.db.connection() as conn:
            await self._require_team(conn, user_id, job_id, "export its job applications")
        return self._batches(user_id, job_id, query)

    async def _batches(
        self, user_id: uuid.UUID, job_id: uuid.UUID, query: schemas.ApplicantExportQuery
    ) -> AsyncIterator[list[schemas.TriageApplicant]]:
        after = _after(query.sort, None)
        while True:
            async with self.db.connection() as conn:
                keys = await self._keys(conn, job_id, query.status, query.sort, EXPORT_BATCH, after)
                rows = await self._rows(conn, user_id, job_id, [k["id"] for k in keys])
            if rows:
                yield rows
            if len(keys) < EXPORT_BATCH:
                return
            after = _after(query.sort, _cursor(query.sort, keys[-1]))

    async def move_many(
        self, user_id: uuid.UUID, job_id: uuid.UUID, body: schemas.BulkStatusChange
    ) -> schemas.BulkStatusResult:
        """Move each application through the state machine (states.check_move) with the
        compare-and-set of single moves, in one transaction; each refusal says why, and each
        move notifies the candidate as a single move does."""
        ids = body.application_ids
        if len(set(ids)) != len(ids):
            raise Invalid.field("body.application_ids", "lists an application more than once")
        target = body.status
        if states.mover(target) != states.COMPANY:
            raise Forbidden("only the candidate can withdraw an application")
        moved, refused = await retry_deadlock(lambda: self._move_all(user_id, job_id, ids, target))
        order = {application_id: n for n, application_id in enumerate(ids)}
        moved.sort(key=lambda m: order[m.application_id])
        return schemas.BulkStatusResult(
            moved=moved,
            refused=[
                schemas.BulkRefused(application_id=i, reason=refused[i])
                for i in ids
                if i in refused
            ],
        )

    async def _move_all(
        self, user_id: uuid.UUID, job_id: uuid.UUID, ids: list[uuid.UUID], target: states.Status
    ) -> tuple[list[schemas.BulkMoved], dict[uuid.UUID, str]]:
        moved: list[schemas.BulkMoved] = []
        refused: dict[uuid.UUID, str] = {}
        async with self.db.transaction() as tx:
            # The job first (FOR SHARE), then its applications in id order: the order a job
            # edit locks in (the job, then the rescoring of its applications).
            company_id = await self.q.share_lock_job_for_bulk_move(tx.conn, job_id=job_id)
            if company_id is None:
                raise NotFound("no such job")
            await require_org_role(
                self.db, tx.conn, user_id, company_id, HIRE, "move its job applications"
            )
            rows = await fetch_all(
                self.q.list_job_applications_to_move, tx.conn, job_id=job_id, ids=ids
            )
            found = {row["id"] for row in rows}
            refused.update((i, NOT_THIS_JOB) for i in ids if i not in found)
            before: dict[uuid.UUID, asyncpg.Record] = {}
            for row in rows:  # in id order: row locks are taken in one order by every bulk move
                reason = self._refusal(row, target, user_id)
                if reason is None:
                    applied = await self.q.move_application(
                        tx.conn, application_id=row["id"], expected=row["status"], status=target
                    )
                    if applied is None:
                        current = await self.q.get_application_status(
                            tx.conn, application_id=row["id"]
                        )
                        reason = f"it moved to {current} meanwhile"
                if reason is not None:
                    refused[row["id"]] = reason
                else:
                    before[row["id"]] = row
            if before:
                after = await fetch_all(
                    self.q.list_job_applications_to_move, tx.conn, job_id=job_id, ids=list(before)
                )
                for fresh in after:
                    old = before[fresh["id"]]
                    payload = events.status_changed(old, fresh, user_id)
                    await self.notifications.notify(
                        tx, (fresh["candidate_id"],), events.APPLICATION_STATUS, payload
                    )
                    moved.append(
                        schemas.BulkMoved(
                            application_id=fresh["id"],
                            previous_status=old["status"],
                            status=fresh["status"],
                        )
                    )
        return moved, refused

    @staticmethod
    def _refusal(row: asyncpg.Record, target: states.Status, user_id: uuid.UUID) -> str | None:
        if row["candidate_id"] == user_id:
            return "this is your own application: nobody moves their own along the pipeline"
        try:
            states.check_move(row["status"], target, states.COMPANY)
        except (Conflict, Forbidden) as refusal:
            return refusal.detail
        return None

    async def visit(self, user_id: uuid.UUID, job_id: uuid.UUID) -> datetime | None:
        """Record that a hiring member opened the job's applicants; the previous visit."""
        async with self.db.connection() as conn:
            await self._require_team(conn, user_id, job_id, "see its job applications")
            return await self.q.record_job_visit(conn, user_id=user_id, job_id=job_id)

    async def summaries(
        self, user_id: uuid.UUID, company_id: uuid.UUID
    ) -> dict[uuid.UUID, schemas.JobTriageSummary]:
        """The hiring page's figures for each job of the company that has applications."""
        async with self.db.connection() as conn:
            await require_org_role(
                self.db, conn, user_id, company_id, HIRE, "see its job applications"
            )
            rows = await fetch_all(
                self.q.count_company_applications_by_status,
                conn,
                company_id=company_id,
                user_id=user_id,
            )
        by_job: dict[uuid.UUID, list[asyncpg.Record]] = {}
        for row in rows:
            by_job.setdefault(row["job_id"], []).append(row)
        summaries = {}
        for job_id, job_rows in by_job.items():
            counts = all_counts(job_rows)
            new = all_counts(job_rows, "new")
            summaries[job_id] = schemas.JobTriageSummary(
                counts=counts,
                total=sum(counts.values()) - counts["withdrawn"],
                new_since_visit=sum(new.values()) - new["withdrawn"],
            )
        return summaries


CSV_HEADER = (
    "candidate",
    "email",
    "headline",
    "status",
    "match_score",
    "matched_skills",
    "missing_skills",
    "applied_at",
    "status_changed_at",
    "resume_file",
    "resume_url",
    "profile_url",
    "team_notes",
)


def csv_fields(a: schemas.TriageApplicant, public_url: str) -> tuple[object, ...]:
    """One applicant as a CSV row (the writer escapes cells a spreadsheet would run)."""
    return (
        a.full_name or "",
        a.email,
        a.headline or "",
        a.status,
        f"{a.match.score:.4f}",
        "; ".join(a.match.reasons.matched_skills),
        "; ".join(a.match.reasons.missing_skills),
        a.submitted_at.isoformat(),
        a.status_changed_at.isoformat(),
        a.resume_filename or "" if a.resume_url else "",
        a.resume_url or "",
        f"{public_url.rstrip('/')}/people/{a.candidate_id}",
        a.note_count,
    )
