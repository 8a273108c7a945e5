-- Job alerts (issue 15, item 3; docs/job-alerts.md): saved board searches, matching a new or
-- reopened job against them through the inverted index (functions.sql), and the digest.

-- Alerts.

-- name: insert_job_alert(user_id, q, skills, skills_match, location, location_pattern, employment_type, remote, company_id, frequency)^
INSERT INTO job_alerts (user_id, q, skills, skills_match, location, location_pattern,
                        employment_type, remote, company_id, frequency, match_keys)
VALUES (:user_id, :q::TEXT, :skills::TEXT[], :skills_match::TEXT, :location, :location_pattern,
        :employment_type::TEXT, :remote::BOOLEAN, :company_id::UUID, :frequency,
        job_alert_keys(:q, :skills, :skills_match, :company_id, :employment_type, :remote))
RETURNING id, user_id, q, skills, skills_match, location, employment_type, remote, company_id,
          frequency, created_at, updated_at,
          (SELECT o.name FROM organizations o WHERE o.id = company_id) AS company_name;

-- name: update_job_alert(alert_id, user_id, q, skills, skills_match, location, location_pattern, employment_type, remote, company_id, frequency)^
-- The whole search is replaced (the service merged the PATCH), and its keys with it.
UPDATE job_alerts
SET q = :q::TEXT, skills = :skills::TEXT[], skills_match = :skills_match::TEXT,
    location = :location, location_pattern = :location_pattern,
    employment_type = :employment_type::TEXT, remote = :remote::BOOLEAN,
    company_id = :company_id::UUID, frequency = :frequency,
    match_keys = job_alert_keys(:q, :skills, :skills_match, :company_id, :employment_type,
                                :remote)
WHERE id = :alert_id AND user_id = :user_id
RETURNING id, user_id, q, skills, skills_match, location, employment_type, remote, company_id,
          frequency, created_at, updated_at,
          (SELECT o.name FROM organizations o WHERE o.id = company_id) AS company_name;

-- name: lock_job_alert(alert_id, user_id)^
-- The caller's own alert (another user's is "no such alert"), its row locked for a PATCH: the merge is made from the row as it is, and a
-- DELETE committed meanwhile leaves nothing to read (no such alert) rather than nothing to
-- update. Primary key.
SELECT id, user_id, q, skills, skills_match, location, employment_type, remote, company_id,
       frequency, created_at, updated_at,
       (SELECT o.name FROM organizations o WHERE o.id = company_id) AS company_name
FROM job_alerts
WHERE id = :alert_id AND user_id = :user_id
FOR UPDATE;

-- name: lock_job_alert_owner(user_id)$
-- Creating alerts one at a time per user, so two concurrent POSTs cannot both count 49 and
-- both insert (MAX_ALERTS). NO KEY UPDATE: rows referencing the user (their foreign keys
-- take KEY SHARE) are not held up. Primary key of users.
SELECT id FROM users WHERE id = :user_id FOR NO KEY UPDATE;

-- name: delete_job_alert(alert_id, user_id)$
-- Its matches go with it (ON DELETE CASCADE), digest-pending ones included: nothing more is
-- sent for it. Returns the id, NULL when it was not the caller's.
DELETE FROM job_alerts WHERE id = :alert_id AND user_id = :user_id RETURNING id;

-- name: list_job_alerts(user_id, after_created_at, after_id, limit)
-- The alerts page, newest first, keyset on (created_at, id): job_alerts_user_recent_idx.
SELECT id, user_id, q, skills, skills_match, location, employment_type, remote, company_id,
       frequency, created_at, updated_at,
       (SELECT o.name FROM organizations o WHERE o.id = company_id) AS company_name
FROM job_alerts
WHERE user_id = :user_id
  AND (:after_created_at::TIMESTAMPTZ IS NULL
       OR (created_at, id) < (:after_created_at, :after_id::UUID))
ORDER BY created_at DESC, id DESC
LIMIT :limit;

-- name: count_job_alerts(user_id)$
-- At most MAX_ALERTS per user (the service refuses more): job_alerts_user_recent_idx.
SELECT count(*) FROM job_alerts WHERE user_id = :user_id;

-- name: set_job_alert_emails(user_id, enabled)$
UPDATE users SET job_alert_emails = :enabled WHERE id = :user_id RETURNING job_alert_emails;

-- name: get_job_alert_emails(user_id)$
SELECT job_alert_emails FROM users WHERE id = :user_id;

-- Matching.

-- name: count_job_alert_candidates(job_id)$
-- How many alerts the inverted index hands to the exact check for this job (tests and the
-- bench show it is the alerts that share a key with the job, not all of them).
SELECT count(*)
FROM jobs j
JOIN job_alerts a
  ON a.match_keys && job_probe_keys(j.company_id, j.skills_required, j.search_vector,
                                    j.employment_type, j.remote)
WHERE j.id = :job_id;

-- name: record_job_alert_matches(job_id)
-- A job just posted or reopened, against the alerts: the candidates are the alerts whose
-- keys the job's probe keys share (job_alerts_match_keys_gin, one bitmap scan), and each
-- candidate is checked with the board's own predicate (sql/jobs/jobs.sql list_jobs and
-- search_jobs: text by websearch_to_tsquery on search_vector, skills all/any on lower-cased
-- arrays, location ILIKE, type, remote, company; open jobs only). Each (alert, job) is
-- recorded once, the primary key refusing a second (a job reopened, a job run twice), and
-- only the rows inserted now come back: they are the ones to send.
WITH job AS (
    SELECT j.id, j.company_id, j.search_vector, lower_all(j.skills_required) AS skill_keys,
           j.location, j.employment_type, j.remote,
           job_probe_keys(j.company_id, j.skills_required, j.search_vector,
                          j.employment_type, j.remote) AS probe
    FROM jobs j
    WHERE j.id = :job_id AND j.status = 'open'
), matched AS (
    SELECT a.id, a.user_id, a.frequency
    FROM job
    JOIN job_alerts a ON a.match_keys && job.probe
    WHERE (a.q IS NULL OR job.search_vector @@ websearch_to_tsquery('english', a.q))
      AND (a.company_id IS NULL OR job.company_id = a.company_id)
      AND (a.employment_type IS NULL OR job.employment_type = a.employment_type)
      AND (a.remote IS NULL OR job.remote = a.remote)
      AND (a.skills_match <> 'all' OR job.skill_keys @> lower_all(a.skills))
      AND (a.skills_match <> 'any' OR cardinality(a.skills) = 0
           OR job.skill_keys && lower_all(a.skills))
      AND (a.location_pattern IS NULL OR job.location ILIKE a.location_pattern)
)
INSERT INTO job_alert_matches (alert_id, job_id, user_id, digest_pending)
SELECT m.id, :job_id, m.user_id, m.frequency = 'daily'
FROM matched m
ON CONFLICT (alert_id, job_id) DO NOTHING
RETURNING alert_id, user_id, digest_pending;

-- name: get_job_alert_job(job_id)^
-- What a match notification says about the job.
SELECT j.id, j.title, o.name AS company_name, j.location, j.remote, j.employment_type
FROM jobs j JOIN organizations o ON o.id = j.company_id
WHERE j.id = :job_id;

-- Digest.

-- name: schedule_job_alert_digests(user_ids, hour, interval_seconds)!
-- One digest job waiting per user (pgqueuer's dedupe key): a user already waiting for the
-- next digest keeps that job, whose run reads every pending match at the time. Due at the
-- next digest time after the database's now() (pgqueuer compares execute_after with it, not
-- with the caller's clock): `hour` (UTC) every day by default, every `interval_seconds` from
-- that hour in general (tests use a second).
WITH due AS (
    SELECT to_timestamp(anchor + (floor((extract(epoch FROM now()) - anchor) / step) + 1)
                                 * step) AS run_at
    FROM (SELECT :hour::INT * 3600.0 AS anchor, :interval_seconds::FLOAT8 AS step) AS p
), job AS (
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status, dedupe_key)
    SELECT 0, 'job_alert_digest',
           convert_to(json_build_object('user_id', u.user_id)::TEXT, 'UTF8'),
           due.run_at, 'queued', 'job_alert_digest:' || u.user_id
    FROM unnest(:user_ids::UUID[]) AS u(user_id), due
    ON CONFLICT (dedupe_key) WHERE status IN ('queued', 'picked') AND dedupe_key IS NOT NULL
    DO NOTHING
    RETURNING id, entrypoint, priority
)
INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
SELECT id, 'queued', entrypoint, priority FROM job;

-- name: share_job_alert_digest_jobs(user_ids)
-- A match run, after schedule_job_alert_digests: the digest job now holding each user's
-- dedupe key, share-locked until the run commits. A digest run frees its key with an UPDATE
-- of that row (release_job_alert_digest_job) before it reads the pending rows, so it waits
-- for this commit and then reads the rows this run recorded. A user missing from the answer
-- had their key freed since the insert (that digest may not see this run's rows): the caller
-- schedules and locks again. Row locks live in the rows, not in the lock table, so thousands
-- of daily users per job cost no shared memory; shared, so match runs do not wait for each
-- other. pgqueuer_unique_dedupe_key.
SELECT substr(dedupe_key, length('job_alert_digest:') + 1)::UUID AS user_id
FROM pgqueuer
WHERE dedupe_key = ANY (ARRAY(SELECT 'job_alert_digest:' || u
                              FROM unnest(:user_ids::UUID[]) AS u))
  AND status IN ('queued', 'picked') AND dedupe_key IS NOT NULL
ORDER BY dedupe_key
FOR SHARE;

-- name: release_job_alert_digest_job(job_id)!
-- A digest run frees its user's dedupe key first, in a statement of its own (committed
-- before it reads): a match run holding the row (share_job_alert_digest_jobs) makes it wait
-- until that run's rows are committed, and a match run after it finds the key free and
-- queues the next digest (due a period later).
UPDATE pgqueuer SET dedupe_key = NULL WHERE id = :job_id;

-- name: lock_job_alert_digest(user_id)$
-- One digest run at a time per user until its transaction ends: a job delivered twice runs
-- the second time after the first has cleared the pending rows, and finds nothing.
SELECT pg_advisory_xact_lock(hashtextextended('job_alert_digest:' || :user_id::UUID, 0));

-- name: get_job_alert_digest_recipient(user_id)^
SELECT email, is_verified, job_alert_emails FROM users WHERE id = :user_id;

-- name: list_job_alert_digest_matches(user_id, limit)
-- The user's daily matches not mailed yet, oldest first (job_alert_matches_digest_idx), with
-- the job (one line per (alert, job): the service shows each job once).
SELECT m.alert_id, m.job_id, m.matched_at, j.title, j.status, j.location, j.remote,
       o.name AS company_name
FROM job_alert_matches m
JOIN jobs j ON j.id = m.job_id
JOIN organizations o ON o.id = j.company_id
WHERE m.user_id = :user_id AND m.digest_pending
ORDER BY m.matched_at, m.job_id
LIMIT :limit;

-- name: clear_job_alert_digest_matches(alert_ids, job_ids)!
-- The rows this digest read are mailed (exactly those: a match committed meanwhile stays
-- pending for the next digest).
UPDATE job_alert_matches m
SET digest_pending = FALSE
FROM unnest(:alert_ids::UUID[], :job_ids::UUID[]) AS k(alert_id, job_id)
WHERE m.alert_id = k.alert_id AND m.job_id = k.job_id AND m.digest_pending;
