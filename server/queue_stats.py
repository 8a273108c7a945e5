"""What the job queue holds and who works it (issue 18): read by /readyz, the "no live worker"
warning and /metrics. Reads only; the workers' heartbeats are written by server/worker.py."""

from __future__ import annotations

from dataclasses import dataclass

from server.db import Database, fetch_all

# How long a /metrics scrape waits for ``queue_snapshot`` before leaving the queue out.
QUEUE_READ_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class KindStats:
    kind: str
    queued: int  # due, waiting for a worker
    scheduled: int  # queued to run later (not yet due)
    picked: int  # being worked on
    oldest_queued_seconds: float  # how long the longest-waiting due job has been due; 0: none


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    kinds: tuple[KindStats, ...]
    live_workers: int

    @property
    def queued(self) -> int:
        return sum(k.queued for k in self.kinds)

    @property
    def scheduled(self) -> int:
        return sum(k.scheduled for k in self.kinds)

    @property
    def oldest_queued_seconds(self) -> float:
        return max((k.oldest_queued_seconds for k in self.kinds), default=0.0)


async def queue_snapshot(db: Database, stale_seconds: int) -> QueueSnapshot:
    """Jobs per kind and the workers whose heartbeat is younger than ``stale_seconds``
    (WORKER_HEARTBEAT_SECONDS). Two indexed reads on one pooled connection."""
    async with db.statement() as conn:
        rows = await fetch_all(db.q.worker.queue_by_kind, conn)
        workers = await fetch_all(db.q.worker.live_workers, conn, stale_seconds=stale_seconds)
    return QueueSnapshot(
        kinds=tuple(
            KindStats(
                r["kind"],
                r["queued"],
                r["scheduled"],
                r["picked"],
                float(r["oldest_queued_seconds"]),
            )
            for r in rows
        ),
        live_workers=len(workers),
    )
