-- Profile enrichment: the records the API shows, the queue rows the worker takes, and the
-- merge of a parsed resume into the profile.

-- name: find_pending_enrichment(user_id, resume_url)^
-- A queued or running enrichment of this resume, so a second request reuses it.
SELECT id, user_id, resume_url, status, attempts, error, result, created_at, started_at,
       finished_at
FROM enrichment_jobs
WHERE user_id = :user_id AND resume_url = :resume_url AND status IN ('queued', 'running');

-- name: count_active_enrichments(user_id)$
-- How many enrichments of this user are queued or running (the per-user cap).
SELECT count(*) FROM enrichment_jobs
WHERE user_id = :user_id AND status IN ('queued', 'running');

-- name: insert_enrichment(user_id, requested_by, resume_url)^
-- NULL (no row) when the same resume is already queued or running (enrichment_jobs_one_pending_idx).
INSERT INTO enrichment_jobs (user_id, requested_by, resume_url)
VALUES (:user_id, :requested_by, :resume_url)
ON CONFLICT (user_id, resume_url) WHERE status IN ('queued', 'running') DO NOTHING
RETURNING id, user_id, resume_url, status, attempts, error, result, created_at, started_at,
          finished_at;

-- name: set_queue_job(enrichment_id, queue_job_id)!
UPDATE enrichment_jobs SET queue_job_id = :queue_job_id WHERE id = :enrichment_id;

-- name: get_enrichment(enrichment_id)^
SELECT id, user_id, resume_url, status, attempts, error, result, created_at, started_at,
       finished_at
FROM enrichment_jobs
WHERE id = :enrichment_id;

-- name: get_latest_enrichment(user_id)^
-- The user's newest enrichment, for the status line of their profile editor.
SELECT id, user_id, resume_url, status, attempts, error, result, created_at, started_at,
       finished_at
FROM enrichment_jobs
WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT 1;

-- name: lock_enrichment(enrichment_id)^
-- The row, locked for the merge: a second delivery of the same job waits here and then sees
-- it finished.
SELECT id, user_id, resume_url, status, attempts
FROM enrichment_jobs
WHERE id = :enrichment_id
FOR UPDATE;

-- name: start_enrichment(enrichment_id)^
-- A delivery begins (first try, retry, or re-delivery after a crashed worker). Finished
-- enrichments are left alone: NULL tells the worker there is nothing to do.
UPDATE enrichment_jobs
SET status = 'running', attempts = attempts + 1, started_at = now()
WHERE id = :enrichment_id AND status IN ('queued', 'running')
RETURNING id, user_id, resume_url, attempts;

-- name: record_retry(enrichment_id, error)!
-- A transient failure: back to queued with the error visible until the next try.
UPDATE enrichment_jobs SET status = 'queued', error = :error
WHERE id = :enrichment_id AND status = 'running';

-- name: fail_enrichment(enrichment_id, error)!
UPDATE enrichment_jobs SET status = 'failed', error = :error, finished_at = now()
WHERE id = :enrichment_id AND status IN ('queued', 'running');

-- name: succeed_enrichment(enrichment_id, result)!
UPDATE enrichment_jobs SET status = 'succeeded', error = NULL, result = :result,
                           finished_at = now()
WHERE id = :enrichment_id;

-- name: lock_profile_for_merge(user_id)^
-- The profile's documents, locked so a concurrent PATCH and the merge cannot interleave.
SELECT user_id, skills, experience, education, portfolio
FROM profiles
WHERE user_id = :user_id
FOR NO KEY UPDATE;

-- name: skill_sources(user_id)
SELECT skill_key, source FROM profile_skill_sources WHERE user_id = :user_id;

-- name: record_skill_sources(user_id, skill_keys, enrichment_id)!
INSERT INTO profile_skill_sources (user_id, skill_key, source, enrichment_id)
SELECT :user_id, key, 'resume', :enrichment_id FROM unnest(:skill_keys::TEXT[]) AS key
ON CONFLICT (user_id, skill_key) DO NOTHING;

-- name: merge_profile_documents(user_id, claimed, experience, education, portfolio)!
-- Write the merged documents; `verified` is never touched by enrichment.
UPDATE profiles
SET skills = jsonb_build_object(
        'claimed', :claimed::JSONB,
        'verified', coalesce(skills -> 'verified', '[]'::jsonb)),
    experience = :experience::JSONB,
    education = :education::JSONB,
    portfolio = :portfolio::JSONB
WHERE user_id = :user_id;

-- name: organizations_named(names, org_type)
-- Organizations of a type whose name matches one of these, case-insensitively (the
-- organizations_type_lower_name_idx index), to link education and experience entries.
SELECT id, lower(name) AS name_key
FROM organizations
WHERE type = :org_type AND lower(name) = ANY (:names::TEXT[])
ORDER BY created_at, id;
