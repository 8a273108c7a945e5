"""The background job host: pgqueuer's QueueManager running every registered kind of job.

``python -m server worker`` runs it as a process of its own (the Procfile's ``worker:``
line); with RUN_WORKER on (the default in the embedded setup) the web process runs the same
worker in-process (``worker_ctx``), so one command still does everything.

The host knows no domain. A kind of job is a pgqueuer entrypoint name and a factory that
builds its handler from the worker's resources (database, storage, settings); a
domain with background jobs registers its kinds with ``@job_kind`` in its own
``server/<domain>/worker.py``, and ``job_kinds()`` imports every such module. A job is queued
with ``enqueue_job`` in the caller's transaction, so it exists only if that transaction
commits.

Every worker upserts a row of ``worker_heartbeats`` every WORKER_BEAT_SECONDS and deletes it
when it stops (``beat``), so a web process can tell "no job yet" from "no worker at all"
(server/queue_watch.py, /readyz).

Delivery is at least once: a job is "picked" with a heartbeat, and a job whose worker died
(no heartbeat for WORKER_HEARTBEAT_SECONDS) is picked again by any worker. A handler that
raises pgqueuer's ``RetryRequested`` (``backoff`` gives the usual delay) has its job queued
again; any other exception ends the job ``failed``, held in pgqueuer's table. What each kind
does with its failures is its own business: docs/enrichment.md has enrichment's lifecycle.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
from aiohttp import web
from pgqueuer import Job, Queries, QueueManager, RetryRequested

from server import keys
from server.config import Settings
from server.db import Database, Transaction
from server.metrics.families import JOB_OUTCOMES, UNCOUNTED, Metrics
from server.storage import Storage

log = logging.getLogger("rizeos.worker")

SERVER_DIR = Path(__file__).resolve().parent
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=5)
# Every this many heartbeats a worker also deletes the rows of long-dead workers.
SWEEP_EVERY_BEATS = 100

Handler = Callable[[Job], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobResources:
    """What a handler may use: in-process the web app's own, standalone the worker's."""

    db: Database  # its units of work publish their events to db.events
    storage: Storage
    settings: Settings


@dataclass(frozen=True, slots=True)
class JobKind:
    entrypoint: str
    make_handler: Callable[[JobResources], Handler]


_KINDS: dict[str, JobKind] = {}


def job_kind(
    entrypoint: str,
) -> Callable[[Callable[[JobResources], Handler]], Callable[[JobResources], Handler]]:
    """Register the decorated handler factory as the kind of job queued under ``entrypoint``."""

    def register(make_handler: Callable[[JobResources], Handler]):
        known = _KINDS.get(entrypoint)
        if known is not None and known.make_handler is not make_handler:
            raise RuntimeError(f"two kinds of job are registered as {entrypoint!r}")
        _KINDS[entrypoint] = JobKind(entrypoint, make_handler)
        return make_handler

    return register


def job_kinds() -> list[JobKind]:
    """Every kind of job, by entrypoint: importing a ``server/<domain>/worker.py`` registers
    that domain's kinds, so each is imported first."""
    for module in sorted(SERVER_DIR.glob("*/worker.py")):
        importlib.import_module(f"server.{module.parent.name}.worker")
    return [_KINDS[name] for name in sorted(_KINDS)]


async def enqueue_job(db: Database, tx: Transaction, entrypoint: str, payload: bytes) -> int:
    """Queue a job in the caller's transaction; its id in pgqueuer's table.

    Not pgqueuer's ``Queries.enqueue``: that needs a connection without our JSON codecs
    (``server/db.py``), which would store its ``headers`` (JSON text it encodes itself) as a
    JSON string its own ``Job`` then refuses, and a connection of its own would commit apart
    from the caller's rows. ``sql/worker/worker.sql`` makes the same two inserts, and
    tests/test_worker_queue.py checks the rows against what pgqueuer's enqueue writes.
    """
    return await db.q.worker.enqueue_job(tx.conn, entrypoint=entrypoint, payload=payload)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 5 minutes, after the ``attempts``-th failed delivery."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def counting_outcomes(kind: str, handler: Handler, metrics: Metrics) -> Handler:
    """``handler``, counting each job's outcome into ``metrics.job_outcomes``: success,
    retry (``RetryRequested``: queued again) or failed (any other exception); and how long
    it ran into ``metrics.job_duration``, whatever the outcome."""
    success, retry, failed = (metrics.job_outcomes.labels(kind, o) for o in JOB_OUTCOMES)
    duration = metrics.job_duration.labels(kind)

    async def counted(job: Job) -> None:
        started = time.perf_counter()
        outcome = success
        try:
            await handler(job)
        except RetryRequested:
            outcome = retry
            raise
        except Exception:
            outcome = failed
            raise
        except BaseException:  # cancelled (the worker stopping): no outcome, not timed
            outcome = None
            raise
        finally:
            if outcome is not None:
                outcome.inc()
                duration.observe(time.perf_counter() - started)

    return counted


def runs_in_web(settings: Settings) -> bool:
    """RUN_WORKER=yes, or auto with the embedded database (one command does everything)."""
    return settings.run_worker == "yes" or (
        settings.run_worker == "auto" and settings.database_url is None
    )


class Worker:
    """A QueueManager on a small pool of its own (pgqueuer's queries and its LISTEN
    connection), dispatching each registered kind of job to its handler."""

    def __init__(self, dsn: str, resources: JobResources, metrics: Metrics = UNCOUNTED):
        self.dsn = dsn
        self.resources = resources
        self.metrics = metrics  # the web app's in-process, the worker process's standalone
        self.manager: QueueManager | None = None
        self._pool: asyncpg.Pool | None = None

    async def run(self) -> None:
        settings = self.resources.settings
        # No type codecs on this pool: pgqueuer passes JSON as text.
        self._pool = await asyncpg.create_pool(self.dsn, min_size=2, max_size=4)
        try:
            manager = QueueManager(Queries.from_asyncpg_pool(self._pool))
            kinds = job_kinds()
            for kind in kinds:
                handler = counting_outcomes(
                    kind.entrypoint, kind.make_handler(self.resources), self.metrics
                )
                manager.entrypoint(kind.entrypoint, on_failure="hold")(handler)
            self.manager = manager
            worker_id = manager.queue_manager_id
            log.info(
                "worker %s listening for %s jobs",
                worker_id,
                ", ".join(kind.entrypoint for kind in kinds),
            )
            db = self.resources.db
            heartbeat = asyncio.create_task(
                beat(db, settings, worker_id, [kind.entrypoint for kind in kinds]),
                name="worker-heartbeat",
            )
            try:
                await manager.run(
                    dequeue_timeout=timedelta(seconds=5),
                    batch_size=settings.worker_concurrency,
                    max_concurrent_tasks=2 * settings.worker_concurrency,
                    heartbeat_timeout=timedelta(seconds=settings.worker_heartbeat_seconds),
                )
            finally:
                heartbeat.cancel()
                await asyncio.wait([heartbeat])
                await forget(db, worker_id)
        finally:
            await self._pool.close()

    def stop(self) -> None:
        if self.manager is not None:
            self.manager.shutdown.set()


async def beat(db: Database, settings: Settings, worker_id: uuid.UUID, kinds: list[str]) -> None:
    """Write this worker's heartbeat row now and every WORKER_BEAT_SECONDS, until cancelled.
    A failed write (the database away) is logged once and retried at the next beat: the
    worker itself goes on, and counts as gone only if that lasts WORKER_HEARTBEAT_SECONDS."""
    hostname, pid = socket.gethostname(), os.getpid()
    beats = 0
    failing = False
    while True:
        try:
            async with db.statement() as conn:
                await db.q.worker.beat_worker(
                    conn, worker_id=worker_id, hostname=hostname, pid=pid, kinds=kinds
                )
                if beats % SWEEP_EVERY_BEATS == 0:
                    await db.q.worker.forget_dead_workers(
                        conn, stale_seconds=settings.worker_heartbeat_seconds
                    )
        except Exception as exc:
            if not failing:
                log.warning("worker %s could not write its heartbeat: %r", worker_id, exc)
            failing = True
        else:
            failing = False
        beats += 1
        await asyncio.sleep(settings.worker_beat_seconds)


async def forget(db: Database, worker_id: uuid.UUID) -> None:
    """A stopping worker's row goes at once, rather than when its heartbeat goes stale."""
    try:
        async with db.statement() as conn:
            await db.q.worker.forget_worker(conn, worker_id=worker_id)
    except Exception as exc:
        log.warning("worker %s could not delete its heartbeat row: %r", worker_id, exc)


async def worker_ctx(app: web.Application) -> AsyncIterator[None]:
    """In-process worker for the web process, when RUN_WORKER says so."""
    settings = app[keys.SETTINGS]
    if not runs_in_web(settings):
        yield
        return
    resources = JobResources(app[keys.DB], app[keys.STORAGE], settings)
    # The database the app resolved; job outcomes count into the app's /metrics.
    worker = Worker(app[keys.DB].dsn, resources, app[keys.METRICS])
    task = asyncio.create_task(worker.run(), name="job-worker")
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
    from server.metrics.worker_listener import worker_metrics_listener
    from server.realtime.emitter import create_emitter
    from server.storage import create_storage

    dsn = await asyncio.to_thread(database_url, settings)
    db = await Database.connect(dsn, 1, max(2, settings.worker_concurrency + 1))
    # What the jobs' units of work emit (profile.enriched) reaches the web instances'
    # sockets through Redis.
    events = create_emitter(settings)
    db.events = events
    storage = create_storage(settings)
    # This process's own registry, served on WORKER_METRICS_PORT when that is set.
    metrics = Metrics()
    try:
        # Listening before the migrations: a liveness probe answers while they run.
        async with worker_metrics_listener(settings, db, metrics):
            if settings.migrate_on_start:
                async with db.connection() as conn:
                    await apply_migrations(conn, db.q)
            worker = Worker(dsn, JobResources(db, storage, settings), metrics)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, worker.stop)
            await worker.run()
    finally:
        await storage.close()
        await events.close()
        await db.close()
        log.info("worker stopped")
