"""What /readyz, the "no worker" warning and /metrics read of the job queue
(server/queue_stats.py): due jobs against scheduled ones, and which workers are alive."""

from __future__ import annotations

import uuid

from server.queue_stats import queue_snapshot


async def test_a_job_scheduled_for_later_is_not_waiting_and_age_counts_from_due(db):
    async with db.statement() as conn:
        await conn.execute(
            """
            INSERT INTO pgqueuer (priority, entrypoint, status, created, execute_after)
            VALUES (0, 'probe', 'queued', now() - interval '2 hours', now() - interval '90 s'),
                   (0, 'probe', 'queued', now() - interval '3 hours', now() + interval '1 hour'),
                   (0, 'probe', 'picked', now() - interval '4 hours', now() - interval '4 hours')
            """
        )
    snapshot = await queue_snapshot(db, 30)
    (probe,) = [k for k in snapshot.kinds if k.kind == "probe"]
    assert (probe.queued, probe.scheduled, probe.picked) == (1, 1, 1)
    # Due for 90 s: neither the 2 hours since it was queued nor the scheduled job's 3 hours.
    assert 90 <= probe.oldest_queued_seconds < 3600
    assert snapshot.queued == 1 and snapshot.scheduled == 1


async def test_only_workers_with_a_fresh_heartbeat_are_live(db):
    fresh, stale = uuid.uuid4(), uuid.uuid4()
    async with db.statement() as conn:
        for worker_id in (fresh, stale):
            await db.q.worker.beat_worker(
                conn, worker_id=worker_id, hostname="host", pid=1, kinds=["probe"]
            )
        await conn.execute(
            "UPDATE worker_heartbeats SET beat_at = now() - interval '31 s' WHERE worker_id = $1",
            stale,
        )
    assert (await queue_snapshot(db, 30)).live_workers == 1
    async with db.statement() as conn:
        await db.q.worker.forget_worker(conn, worker_id=fresh)
    assert (await queue_snapshot(db, 30)).live_workers == 0
