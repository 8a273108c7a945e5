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
