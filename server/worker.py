"""The background worker: pgqueuer's QueueManager running enrichment jobs.

``python -m server worker`` runs it as a process of its own (the Procfile's ``worker:``
line); with RUN_WORKER on (the default in the embedded setup) the web process runs the same
worker in-process (``worker_ctx``), so one command still does everything.

Delivery is at least once: a job is "picked" with a heartbeat, and a job whose worker died
(no heartbeat for WORKER_HEARTBEAT_SECONDS) is picked again by any worker. A transient
failure is re-queued by pgqueuer with exponential back-off (RetryRequested) up to
ENRICHMENT_MAX_ATTEMPTS deliveries; then, or at once for a bad file, the enrichment ends
``failed`` with its reason on the record. docs/enrichment.md has the whole lifecycle.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
from aiohttp import web
from pgqueuer import Job, Queries, QueueManager, RetryRequested

from server import keys
from server.config import Settings
from server.db import Database
from server.enrichment.extract import Limits
from server.enrichment.fetch import storage_fetcher
from server.enrichment.service import ENTRYPOINT, EnrichmentRunner, TransientFailure

log = logging.getLogger("rizeos.worker")

BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 5 minutes, after the ``attempts``-th failed delivery."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def runs_in_web(settings: Settings) -> bool:
    """RUN_WORKER=yes, or auto with the embedded database (one command does everything)."""
    return settings.run_worker == "yes" or (
        settings.run_worker == "auto" and settings.database_url is None
    )


def limits_from(settings: Settings) -> Limits:
    return Limits(
        max_pages=settings.resume_max_pages,
        timeout_seconds=settings.enrichment_timeout_seconds,
    )


class Worker:
    """A QueueManager on a small pool of its own (pgqueuer's queries and its LISTEN
    connection), dispatching enrichment jobs to an ``EnrichmentRunner``."""

    def __init__(self, dsn: str, runner: EnrichmentRunner, settings: Settings):
        self.dsn = dsn
        self.runner = runner
        self.settings = settings
        self.manager: QueueManager | None = None
        self._pool: asyncpg.Pool | None = None

    async def _handle(self, job: Job) -> None:
        enrichment_id = uuid.UUID((job.payload or b"").decode())
        try:
            await self.runner.run(enrichment_id)
        except TransientFailure as exc:
            # job.attempts counts earlier retries of this queue row.
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=str(exc)) from exc
        except Exception as exc:
            # The database itself failed (the runner could not even record the error): retry
            # the delivery while tries remain; then pgqueuer holds the job as failed.
            if job.attempts + 1 >= self.settings.enrichment_max_attempts:
                raise
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc)) from exc

    async def run(self) -> None:
        # No type codecs on this pool: pgqueuer passes JSON as text.
        self._pool = await asyncpg.create_pool(self.dsn, min_size=2, max_size=4)
        try:
            manager = QueueManager(Queries.from_asyncpg_pool(self._pool))
            manager.entrypoint(ENTRYPOINT, on_failure="hold")(self._handle)
            self.manager = manager
            heartbeat = timedelta(seconds=self.settings.worker_heartbeat_seconds)
            log.info("worker %s listening for %s jobs", manager.queue_manager_id, ENTRYPOINT)
            await manager.run(
                dequeue_timeout=timedelta(seconds=5),
                batch_size=self.settings.worker_concurrency,
                max_concurrent_tasks=2 * self.settings.worker_concurrency,
                heartbeat_timeout=heartbeat,
            )
        finally:
            await self._pool.close()

    def stop(self) -> None:
        if self.manager is not None:
            self.manager.shutdown.set()


def build_runner(db: Database, storage, settings: Settings) -> EnrichmentRunner:
    return EnrichmentRunner(
        db,
        storage_fetcher(db, storage, settings),
        limits_from(settings),
        settings.enrichment_max_attempts,
    )


async def worker_ctx(app: web.Application) -> AsyncIterator[None]:
    """In-process worker for the web process, when RUN_WORKER says so."""
    settings = app[keys.SETTINGS]
    if not runs_in_web(settings):
        yield
        return
    runner = build_runner(app[keys.DB], app[keys.STORAGE], settings)
    worker = Worker(app[keys.DB].dsn, runner, settings)  # the database the app resolved
    task = asyncio.create_task(worker.run(), name="enrichment-worker")
    try:
        yield
    finally:
        worker.stop()
        try:
            await asyncio.wait_for(task, settings.shutdown_timeout)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            log.exception("the in-process worker stopped with an error")


async def run_standalone(settings: Settings) -> None:
    """``python -m server worker``: until SIGTERM or SIGINT."""
    from server.db import apply_migrations
    from server.embedded import database_url
    from server.realtime.emitter import create_emitter
    from server.storage import create_storage

    dsn = await asyncio.to_thread(database_url, settings)
    db = await Database.connect(dsn, 1, max(2, settings.worker_concurrency + 1))
    # What the worker's units of work emit (profile.enriched) reaches the web instances'
    # sockets through Redis.
    events = create_emitter(settings)
    db.events = events
    storage = create_storage(settings)
    try:
        if settings.migrate_on_start:
            async with db.connection() as conn:
                await apply_migrations(conn, db.q)
        worker = Worker(dsn, build_runner(db, storage, settings), settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()
    finally:
        await storage.close()
        await events.close()
        await db.close()
        log.info("worker stopped")
