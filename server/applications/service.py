"""Job applications: applying, reviewing, and moving through the state machine.

Who is who, for one application: its ``candidate``, and the ``company`` (active admin and
recruiter members of the hiring company). Anyone else is told the application does not exist.
When the candidate also hires for that company, they act as the candidate: nobody moves their
own application along the pipeline.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from server.applications import events, schemas, states
from server.auth.service import hold_live_account
from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, Forbidden, NotFound, Unavailable
from server.notifications.service import NotificationService
from server.orgs.access import HIRE, has_org_role
from server.paging import AwareDatetime, decode_cursor, keyset_page
from server.uploads.refs import FileRef, require_uploads, upload_id_in

APPLICANT_ROLES = frozenset({"student", "professional"})
NO_SUCH_APPLICATION = "no such application"


# A deadlock PostgreSQL broke by aborting our transaction is retried from the start (its
# events were never emitted: they go out after commit). The triage paths lock a job before its
# applications, as job edits do, so none is expected; this keeps one from being a 500.
DEADLOCK_ATTEMPTS = 3
T = TypeVar("T")
log = logging.getLogger("rizeos.applications")


async def retry_deadlock(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` (one transaction) again when PostgreSQL aborts it as a deadlock victim;
    after DEADLOCK_ATTEMPTS, 503 (retry later) rather than a 500."""
    for _ in range(DEADLOCK_ATTEMPTS - 1):
        try:
            return await work()
        except asyncpg.DeadlockDetectedError:
            log.warning("deadlock: retrying the transaction")
    try:
        return await work()
    except asyncpg.DeadlockDetectedError as exc:
        raise Unavailable("the database was busy with a conflicting change; retry") from exc


def to_application(row: asyncpg.Record) -> schemas.Application:
    return msgspec.convert(dict(row), schemas.Application)


def to_applicant(row: asyncpg.Record) -> schemas.Applicant:
    # a candidate without a profile row (LEFT JOIN) still gets the documented skills shape
    return msgspec.convert({**dict(row), "skills": row["skills"] or {}}, schemas.Applicant)


def shown_to(actor: states.Actor, row: asyncpg.Record) -> schemas.Applicant:
    """One application as ``actor`` sees it: a withdrawn candidate's resume is no longer
    shared with the company (nor can it open the file: server/uploads/service.py), while the
    candidate keeps seeing what they sent."""
    applicant = to_applicant(row)
    if actor == states.COMPANY and row["status"] == "withdrawn":
        applicant.resume_url = None
    return applicant


def _submitted_key(row: asyncpg.Record) -> tuple:
    return (row["submitted_at"], row["id"])


def page_after(cursor: str | None) -> dict[str, Any]:
    after = decode_cursor(cursor, (AwareDatetime, uuid.UUID))
    return {
        "after_submitted_at": after[0] if after else None,
        "after_id": after[1] if after else None,
    }


class ApplicationService:
    def __init__(self, db: Database):
        self.db = db
        # Stored in the change's transaction, emitted after its commit (events.py says who).
        self.notifications = NotificationService(db)

    async def _actor(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, row: asyncpg.Record
    ) -> states.Actor | None:
        if row["candidate_id"] == user_id:
            return states.CANDIDATE
        if await has_org_role(self.db, conn, user_id, row["company_id"], HIRE):
            return states.COMPANY
        return None

    async def apply(
        self,
        user_id: uuid.UUID,
        roles: Iterable[str],
        job_id: uuid.UUID,
        body: schemas.ApplicationCreate,
    ) -> schemas.Application:
        """Workflow 2, step 3: a student or professional applies to an open job, once."""
        if not APPLICANT_ROLES & set(roles):
            raise Forbidden("only students and professionals apply to jobs")
        cover_letter = (body.cover_letter or "").strip() or None
        return await retry_deadlock(lambda: self._apply(user_id, job_id, body, cover_letter))

    async def _apply(
        self,
        user_id: uuid.UUID,
        job_id: uuid.UUID,
        body: schemas.ApplicationCreate,
        cover_letter: str | None,
    ) -> schemas.Application:
        q = self.db.q.applications
        async with self.db.transaction() as tx:
            await hold_live_account(self.db, tx, user_id)
            job = await q.get_job_to_apply(tx.conn, job_id=job_id)
            if job is None:
                raise NotFound("no such job")
            if job["status"] != "open":
                raise Conflict("this job is closed and no longer takes applications")
            if await has_org_role(self.db, tx.conn, user_id, job["company_id"], HIRE):
                raise Forbidden("members who hire for this company cannot apply to its jobs")
            resume_url = await self._resume_to_submit(tx.conn, user_id, body.resume_url)
            application_id = await q.insert_application(
                tx.conn,
                job_id=job_id,
                candidate_id=user_id,
                cover_letter=cover_letter,
                resume_url=resume_url,
                resume_upload_id=upload_id_in(resume_url) if resume_url else None,
            )
            if application_id is None:
                raise Conflict("you have already applied to this job")
            row = await q.get_application(tx.conn, application_id=application_id)
            recipients = await events.hiring_team(self.db, tx.conn, row["company_id"])
            await self.notifications.notify(
                tx, recipients, events.APPLICATION_CREATED, events.created(row)
            )
            return to_application(row)

    async def _resume_to_submit(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, chosen: str | UnsetType | None
    ) -> str | None:
        """The resume an application carries: the profile's current one unless the body
        names another (a complete resume upload of the caller's; anything else is 422 on
        body.resume_url) or null (none). The profile's own, named explicitly, is accepted
        as it stands: it was checked when the profile took it."""
        if chosen is None:
            return None
        on_profile = await self.db.q.applications.get_profile_resume(conn, candidate_id=user_id)
        if chosen is UNSET:
            return on_profile
        url = chosen.strip()
        await require_uploads(
            self.db,
            conn,
            user_id,
            [FileRef("body.resume_url", url, "resume")],
            keep=(on_profile,) if on_profile else (),
        )
        return url

    async def list_mine(
        self, user_id: uuid.UUID, query: schemas.ApplicationListQuery
    ) -> schemas.ApplicationPage:
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.db.q.applications.list_candidate_applications,
                conn,
                candidate_id=user_id,
                status=query.status,
                limit=query.limit + 1,  # one more than the page tells whether there is a next
                **page_after(query.cursor),
            )
        page, next_cursor = keyset_page(rows, query.limit, _submitted_key)
        return schemas.ApplicationPage(items=[to_application(r) for r in page], next=next_cursor)

    async def mine_for_job(
        self, user_id: uuid.UUID, job_id: uuid.UUID
    ) -> schemas.Application | None:
        """The caller's own application to a job, or None."""
        async with self.db.connection() as conn:
            row = await self.db.q.applications.get_candidate_application_for_job(
                conn, job_id=job_id, candidate_id=user_id
            )
        return to_application(row) if row else None

    async def _move(
        self,
        tx: Transaction,
        row: asyncpg.Record,
        target: states.Status,
        user_id: uuid.UUID,
        recipients: tuple[uuid.UUID, ...],
    ) -> asyncpg.Record | None:
        """Compare-and-set ``row`` to ``target``; the fresh row, or None if it moved meanwhile."""
        q = self.db.q.applications
        moved = await q.move_application(
            tx.conn, application_id=row["id"], expected=row["status"], status=target
        )
        if moved is None:
            return None
        fresh = await q.get_application(tx.conn, application_id=row["id"])
        payload = events.status_changed(row, fresh, user_id)
        await self.notifications.notify(tx, recipients, events.APPLICATION_STATUS, payload)
        return fresh

    async def open(
        self, user_id: uuid.UUID, application_id: uuid.UUID, mark_viewed: bool = True
    ) -> schemas.Applicant:
        """Read one application; a hiring member opening a submitted one marks it viewed
        (workflow 1, step 3.3), which the candidate is told about, unless ``mark_viewed`` is
        off (a cookie request without its CSRF token may come from another site)."""
        q = self.db.q.applications
        async with self.db.transaction() as tx:
            row = await q.get_application(tx.conn, application_id=application_id)
            actor = await self._actor(tx.conn, user_id, row) if row else None
            if row is None or actor is None:
                raise NotFound(NO_SUCH_APPLICATION)
            if mark_viewed and actor == states.COMPANY and row["status"] == "submitted":
                recipients = await events.status_recipients(self.db, tx.conn, row, actor)
                fresh = await self._move(tx, row, "viewed", user_id, recipients)
                # None: another reviewer's move won the race; show what is there now.
                row = fresh or await q.get_application(tx.conn, application_id=application_id)
            return shown_to(actor, row)

    async def move(
        self, user_id: uuid.UUID, application_id: uuid.UUID, target: states.Status
    ) -> schemas.Applicant:
        """Move an application along the state machine (see states.py for the rules)."""
        q = self.db.q.applications
        async with self.db.transaction() as tx:
            row = await q.get_application(tx.conn, application_id=application_id)
            actor = await self._actor(tx.conn, user_id, row) if row else None
            if row is None or actor is None:
                raise NotFound(NO_SUCH_APPLICATION)
            states.check_move(row["status"], target, actor)
            recipients = await events.status_recipients(self.db, tx.conn, row, actor)
            fresh = await self._move(tx, row, target, user_id, recipients)
            if fresh is None:
                current = await q.get_application_status(tx.conn, application_id=application_id)
                allowed = states.describe(states.next_statuses(current, actor))
                raise Conflict(
                    f"the application moved to {current} meanwhile; allowed next: {allowed}"
                )
            return shown_to(actor, fresh)
