-- The job queue (server/worker.py): pgqueuer's tables, as migration 0010 installs them.

-- name: enqueue_job(entrypoint, payload)$
-- A job queued in the caller's transaction: the pgqueuer row and its log line, the two inserts
-- pgqueuer's own enqueue makes (tests/test_worker.py compares them); pgqueuer's trigger wakes
-- the workers with NOTIFY once the transaction commits.
WITH job AS (
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)
    VALUES (0, :entrypoint, :payload, now(), 'queued')
    RETURNING id, entrypoint, priority
), logged AS (
    INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
    SELECT id, 'queued', entrypoint, priority FROM job
)
SELECT id FROM job;

-- name: queue_by_kind()
-- Issue 18 (/readyz, /metrics): per kind, jobs due and waiting for a worker, jobs scheduled
-- for later (an export's expiry, an order's auto-completion: not late, just not yet due),
-- jobs being worked on, and how long the longest-waiting due job has been due (seconds; 0
-- when none is), which is what a queue-age alert wants. The table holds only live jobs
-- (pgqueuer deletes finished ones).
SELECT entrypoint AS kind,
       count(*) FILTER (WHERE status = 'queued' AND execute_after <= now())::int AS queued,
       count(*) FILTER (WHERE status = 'queued' AND execute_after > now())::int AS scheduled,
       count(*) FILTER (WHERE status = 'picked')::int AS picked,
       coalesce(extract(epoch FROM now() - min(execute_after)
                FILTER (WHERE status = 'queued' AND execute_after <= now())), 0)::float8
           AS oldest_queued_seconds
  FROM pgqueuer
 WHERE status IN ('queued', 'picked')
 GROUP BY entrypoint
 ORDER BY entrypoint;

-- name: live_workers(stale_seconds)
-- Workers whose heartbeat is younger than stale_seconds (migration 0033).
SELECT worker_id, hostname, pid, kinds, started_at, beat_at
  FROM worker_heartbeats
 WHERE beat_at > now() - make_interval(secs => :stale_seconds)
 ORDER BY started_at;

-- name: beat_worker(worker_id, hostname, pid, kinds)!
INSERT INTO worker_heartbeats (worker_id, hostname, pid, kinds)
VALUES (:worker_id, :hostname, :pid, :kinds)
ON CONFLICT (worker_id) DO UPDATE SET beat_at = now();

-- name: forget_worker(worker_id)!
DELETE FROM worker_heartbeats WHERE worker_id = :worker_id;

-- name: forget_dead_workers(stale_seconds)!
-- Rows of workers dead for a long time (ten times the staleness), so the table stays small.
DELETE FROM worker_heartbeats WHERE beat_at < now() - make_interval(secs => :stale_seconds * 10);
