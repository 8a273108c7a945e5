"""Enrichment as a background job: queueing one, and running a delivery of it.

``enqueue`` writes the ``enrichment_jobs`` row and its queue job in the caller's transaction
(``POST /api/ai/process-profile`` and a profile edit that sets a new resume), so an
enrichment is never recorded without its job, nor queued for a change that rolled back.

A delivery (``EnrichmentRunner.run``) is idempotent: it starts only an unfinished
enrichment, does the slow part (fetch, extract, parse) outside any transaction, and hands the
result to ``EnrichmentMerger`` (``apply.py``), whose one transaction merges it exactly once.
The job host (``server/worker.py``) runs the ``enrich_profile`` kind registered here: a
transient failure is queued again with back-off up to ENRICHMENT_MAX_ATTEMPTS deliveries;
then, or at once for a bad file, the enrichment ends ``failed`` with its reason on the
record. docs/enrichment.md has the whole lifecycle.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pgqueuer import Job, RetryRequested

from server.config import Settings
from server.db import Database, Transaction
from server.enrichment.apply import EnrichmentMerger
from server.enrichment.extract import Limits, UnreadableResume, extract_text
from server.enrichment.fetch import ResumeUnavailable, storage_fetcher
from server.enrichment.parse import parse_resume
from server.storage import Storage
from server.worker import Handler, JobResources, backoff, enqueue_job, job_kind

log = logging.getLogger("rizeos.enrichment")

ENTRYPOINT = "enrich_profile"

ResumeFetcher = Callable[[uuid.UUID, str], Awaitable[bytes]]


async def enqueue(
    db: Database, tx: Transaction, user_id: uuid.UUID, requested_by: uuid.UUID | None, url: str
) -> Any:
    """Queue an enrichment of ``url`` for the user in ``tx`` (or return the one already queued
    or running for the same resume)."""
    q = db.q.enrichment
    row = await q.insert_enrichment(
        tx.conn, user_id=user_id, requested_by=requested_by, resume_url=url
    )
    if row is None:
        return await q.find_pending_enrichment(tx.conn, user_id=user_id, resume_url=url)
    queue_id = await enqueue_job(db, tx, ENTRYPOINT, str(row["id"]).encode())
    await q.set_queue_job(tx.conn, enrichment_id=row["id"], queue_job_id=queue_id)
    return row


class TransientFailure(Exception):
    """A delivery failed for a reason that may pass (storage or database unreachable)."""


class EnrichmentRunner:
    """Runs deliveries of enrichment jobs. ``delay_seconds`` holds each delivery that long
    once it has started (ENRICHMENT_TEST_DELAY_SECONDS), so a test can stop a worker
    mid-job; it is 0 otherwise."""

    def __init__(
        self,
        db: Database,
        fetch_resume: ResumeFetcher,
        limits: Limits,
        max_attempts: int,
        delay_seconds: float = 0.0,
    ):
        self.db = db
        self.merger = EnrichmentMerger(db)
        self.fetch_resume = fetch_resume
        self.limits = limits
        self.max_attempts = max_attempts
        self.delay_seconds = delay_seconds
        self.q = db.q.enrichment

    async def run(self, enrichment_id: uuid.UUID) -> str:
        """One delivery. Returns the enrichment's status afterwards; raises TransientFailure
        when it should be tried again later (the error is recorded on the row)."""
        async with self.db.connection() as conn:
            started = await self.q.start_enrichment(conn, enrichment_id=enrichment_id)
        if started is None:
            return "finished-before"  # a re-delivery of a finished (or vanished) job
        if started["attempts"] > self.max_attempts:
            # Every earlier delivery died with its worker (no error was ever recorded): a job
            # that kills workers must not be handed out forever.
            await self._fail(
                enrichment_id,
                f"gave up after {started['attempts'] - 1} deliveries that never finished",
            )
            return "failed"
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        try:
            data = await self.fetch_resume(started["user_id"], started["resume_url"])
            text = await extract_text(data, self.limits)
            parsed = await asyncio.to_thread(parse_resume, text)
        except (UnreadableResume, ResumeUnavailable) as exc:
            await self._fail(enrichment_id, str(exc))
            return "failed"
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:1000]
            if started["attempts"] >= self.max_attempts:
                await self._fail(
                    enrichment_id, f"gave up after {started['attempts']} tries: " + reason
                )
                return "failed"
            async with self.db.connection() as conn:
                await self.q.record_retry(conn, enrichment_id=enrichment_id, error=reason)
            raise TransientFailure(reason) from exc
        return await self.merger.merge(enrichment_id, parsed)

    async def _fail(self, enrichment_id: uuid.UUID, reason: str) -> None:
        log.info("enrichment %s failed: %s", enrichment_id, reason)
        async with self.db.connection() as conn:
            await self.q.fail_enrichment(conn, enrichment_id=enrichment_id, error=reason)


def build_runner(db: Database, storage: Storage, settings: Settings) -> EnrichmentRunner:
    return EnrichmentRunner(
        db,
        storage_fetcher(db, storage, settings),
        Limits(
            max_pages=settings.resume_max_pages,
            timeout_seconds=settings.enrichment_timeout_seconds,
        ),
        settings.enrichment_max_attempts,
        settings.enrichment_test_delay_seconds,
    )


@job_kind(ENTRYPOINT)
def enrichment_handler(resources: JobResources) -> Handler:
    """The ``enrich_profile`` job: its payload is the enrichment's id."""
    runner = build_runner(resources.db, resources.storage, resources.settings)
    max_attempts = resources.settings.enrichment_max_attempts

    async def handle(job: Job) -> None:
        enrichment_id = uuid.UUID((job.payload or b"").decode())
        try:
            await runner.run(enrichment_id)
        except TransientFailure as exc:
            # job.attempts counts earlier retries of this queue row.
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=str(exc)) from exc
        except Exception as exc:
            # The database itself failed (the runner could not even record the error): retry
            # the delivery while tries remain; then pgqueuer holds the job as failed.
            if job.attempts + 1 >= max_attempts:
                raise
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc)) from exc

    return handle
