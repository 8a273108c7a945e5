"""Jobs queued with no worker to run them (issue 18).

With ``DATABASE_URL`` set the web process runs no worker (``RUN_WORKER=auto``), so an operator
who starts no ``python -m server worker`` would see resume enrichment stay ``queued`` for ever.
Every web process looks at the queue every QUEUE_CHECK_SECONDS (two indexed reads) and logs
one warning when jobs wait while no worker has beaten its heartbeat (server/worker.py); it
warns again only after a worker has been seen since. /readyz shows the same words
(server/health.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server import keys
from server.config import Settings
from server.db import Database
from server.queue_stats import KindStats, QueueSnapshot, queue_snapshot

log = logging.getLogger("rizeos.worker")


def no_worker_warning(snapshot: QueueSnapshot) -> str | None:
    """What to tell an operator when jobs are queued (due now or scheduled for later: neither
    will ever run) and no worker is alive; None otherwise."""
    if snapshot.live_workers or not (snapshot.queued or snapshot.scheduled):
        return None

    def described(kind: KindStats) -> str:
        parts = []
        if kind.queued:
            parts.append(f"{kind.queued} due, oldest {kind.oldest_queued_seconds:.0f} s")
        if kind.scheduled:
            parts.append(f"{kind.scheduled} scheduled")
        return f"{kind.kind} ({'; '.join(parts)})"

    waiting = ", ".join(described(k) for k in snapshot.kinds if k.queued or k.scheduled)
    return (
        f"jobs are queued but no worker is running: {waiting}. Start one with"
        " `python -m server worker`, or set RUN_WORKER=yes on a web instance"
    )


async def watch_queue(db: Database, settings: Settings) -> None:
    """Until cancelled: warn once per spell of "jobs waiting, no live worker"."""
    warned = False
    while True:
        await asyncio.sleep(settings.queue_check_seconds)
        try:
            snapshot = await queue_snapshot(db, settings.worker_heartbeat_seconds)
        except Exception:  # the database away: /readyz and every request say so already
            log.debug("could not look at the job queue", exc_info=True)
            continue
        log.debug(
            "job queue: %d waiting, %d live worker(s)", snapshot.queued, snapshot.live_workers
        )
        if snapshot.live_workers:
            warned = False
        elif not warned and (warning := no_worker_warning(snapshot)) is not None:
            log.warning(warning)
            warned = True


async def queue_watch_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(watch_queue(app[keys.DB], app[keys.SETTINGS]), name="queue-watch")
    yield
    task.cancel()
    await asyncio.wait([task])
