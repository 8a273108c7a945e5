-- Saved jobs (issue 15, item 2; docs/job-alerts.md "Saved jobs") and the signed-in viewer's
-- marks on board cards (saved, applied).

-- name: job_exists(job_id)$
-- Whether the job exists (open or closed): saving a job that is not there is 404.
SELECT EXISTS (SELECT 1 FROM jobs WHERE id = :job_id);

-- name: save_job(user_id, job_id)$
-- Idempotent: saving again keeps the first saved_at. Returns when it was saved. The no-op
-- update (not DO NOTHING) makes a save racing another one wait for it and return its row:
-- DO NOTHING would return nothing, and a re-read in the same statement would not see a row
-- committed after the statement began.
INSERT INTO saved_jobs (user_id, job_id) VALUES (:user_id, :job_id)
ON CONFLICT (user_id, job_id) DO UPDATE SET saved_at = saved_jobs.saved_at
RETURNING saved_at;

-- name: unsave_job(user_id, job_id)!
-- Idempotent: nothing to delete is not an error. Primary key (user_id, job_id).
DELETE FROM saved_jobs WHERE user_id = :user_id AND job_id = :job_id;

-- name: list_saved_jobs(user_id, after_saved_at, after_job_id, limit)
-- The Saved list: newest save first, closed jobs included (their status says so), keyset on
-- (saved_at, job_id): one range of saved_jobs_user_recent_idx, then the page's jobs by key.
SELECT s.saved_at, j.id, j.company_id, o.name AS company_name, o.logo_url AS company_logo_url,
       j.poster_id, j.title, j.description,
       j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
       j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at, j.updated_at
FROM saved_jobs s
JOIN jobs j ON j.id = s.job_id
JOIN organizations o ON o.id = j.company_id
WHERE s.user_id = :user_id
  AND (:after_saved_at::TIMESTAMPTZ IS NULL
       OR (s.saved_at, s.job_id) < (:after_saved_at, :after_job_id::UUID))
ORDER BY s.saved_at DESC, s.job_id DESC
LIMIT :limit;

-- name: list_job_marks(user_id, job_ids)
-- For the cards of one page: which of these jobs the viewer saved and applied to (a
-- withdrawn application is not "Applied"). Primary keys of saved_jobs and of
-- job_applications' unique (job_id, candidate_id): one probe per card.
SELECT k.job_id,
       EXISTS (SELECT 1 FROM saved_jobs s
               WHERE s.user_id = :user_id AND s.job_id = k.job_id) AS saved,
       EXISTS (SELECT 1 FROM job_applications a
               WHERE a.job_id = k.job_id AND a.candidate_id = :user_id
                 AND a.status <> 'withdrawn') AS applied
FROM unnest(:job_ids::UUID[]) AS k(job_id);
