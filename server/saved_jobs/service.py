"""Saved jobs: a candidate's bookmarks on the board, and the marks a signed-in viewer sees
on board cards (saved, applied)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NamedTuple

from server.db import Database, fetch_all
from server.errors import NotFound
from server.jobs.service import to_job
from server.paging import AwareDatetime, decode_cursor, keyset_page
from server.saved_jobs import schemas


class JobMarks(NamedTuple):
    saved: frozenset[uuid.UUID]
    applied: frozenset[uuid.UUID]


NO_MARKS = JobMarks(frozenset(), frozenset())


class SavedJobService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.saved_jobs

    async def save(self, user_id: uuid.UUID, job_id: uuid.UUID) -> schemas.SavedJobState:
        """Idempotent; any job that exists, open or closed (a bookmark of a closed job still
        says what it was)."""
        async with self.db.transaction() as tx:
            if not await self.q.job_exists(tx.conn, job_id=job_id):
                raise NotFound("no such job")
            saved_at = await self.q.save_job(tx.conn, user_id=user_id, job_id=job_id)
        return schemas.SavedJobState(job_id=str(job_id), saved_at=saved_at)

    async def unsave(self, user_id: uuid.UUID, job_id: uuid.UUID) -> None:
        """Idempotent: unsaving a job that is not saved (or not there) changes nothing."""
        async with self.db.statement() as conn:
            await self.q.unsave_job(conn, user_id=user_id, job_id=job_id)

    async def list_mine(
        self, user_id: uuid.UUID, query: schemas.SavedJobListQuery
    ) -> schemas.SavedJobPage:
        after = decode_cursor(query.cursor, (AwareDatetime, uuid.UUID))
        after_saved_at, after_job_id = after if after else (None, None)
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_saved_jobs,
                conn,
                user_id=user_id,
                after_saved_at=after_saved_at,
                after_job_id=after_job_id,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["saved_at"], r["id"]))
        items = [
            schemas.SavedJob(
                saved_at=row["saved_at"],
                job=to_job({k: v for k, v in dict(row).items() if k != "saved_at"}),
            )
            for row in page
        ]
        return schemas.SavedJobPage(items=items, next=next_cursor)

    async def is_saved(self, user_id: uuid.UUID, job_id: uuid.UUID) -> bool:
        return job_id in (await self.marks(user_id, [job_id])).saved

    async def marks(self, user_id: uuid.UUID, job_ids: Sequence[uuid.UUID]) -> JobMarks:
        """Which of these jobs the user saved, and applied to (not withdrawn)."""
        if not job_ids:
            return NO_MARKS
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_job_marks, conn, user_id=user_id, job_ids=list(job_ids)
            )
        return JobMarks(
            saved=frozenset(r["job_id"] for r in rows if r["saved"]),
            applied=frozenset(r["job_id"] for r in rows if r["applied"]),
        )
