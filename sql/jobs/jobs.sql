-- Jobs: posting, editing, closing, and the public board (search and filters).
-- Column lists are spelled out rather than `j.*` so the stored search_vector never travels.

-- name: get_organization_type(organization_id)$
-- 'company' or 'institute'; NULL when there is no such organization.
SELECT type FROM organizations WHERE id = :organization_id;

-- name: insert_job(company_id, poster_id, title, description, skills_required, attachments, location, employment_type, remote, salary_min, salary_max, salary_currency)$
INSERT INTO jobs (company_id, poster_id, title, description, skills_required, attachments,
                  location, employment_type, remote, salary_min, salary_max, salary_currency)
VALUES (:company_id, :poster_id, :title, :description, :skills_required, :attachments,
        :location, :employment_type, :remote, :salary_min, :salary_max, :salary_currency)
RETURNING id;

-- name: get_job(job_id)^
SELECT j.id, j.company_id, o.name AS company_name, j.poster_id, j.title, j.description,
       j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
       j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at, j.updated_at
FROM jobs j
JOIN organizations o ON o.id = j.company_id
WHERE j.id = :job_id;

-- name: get_job_company(job_id)$
-- The hiring company, for permission checks; NULL when there is no such job.
SELECT company_id FROM jobs WHERE id = :job_id;

-- name: lock_job(job_id)$
-- Lock the row for a read-merge-write edit so two concurrent edits cannot interleave
-- (each sees the other's result); returns the hiring company, NULL when there is no such job.
SELECT company_id FROM jobs WHERE id = :job_id FOR NO KEY UPDATE;

-- name: update_job(job_id, title, description, skills_required, attachments, location, employment_type, remote, salary_min, salary_max, salary_currency)!
UPDATE jobs
SET title = :title, description = :description, skills_required = :skills_required,
    attachments = :attachments, location = :location, employment_type = :employment_type,
    remote = :remote, salary_min = :salary_min, salary_max = :salary_max,
    salary_currency = :salary_currency
WHERE id = :job_id;

-- name: close_job(job_id)$
-- Compare-and-set: only an open job closes; NULL means it was already closed (or is gone).
UPDATE jobs SET status = 'closed', closed_at = now()
WHERE id = :job_id AND status = 'open'
RETURNING id;

-- name: reopen_job(job_id)$
UPDATE jobs SET status = 'open', closed_at = NULL
WHERE id = :job_id AND status = 'closed'
RETURNING id;

-- name: list_jobs(status, company_id, employment_type, remote, skills_all, skills_any, location_pattern, after_created_at, after_id, limit)
-- The board without a text query: newest first, keyset-paginated on (created_at, id).
-- Each optional filter is "param IS NULL OR predicate"; asyncpg's per-value (custom) plans
-- fold the NULL tests away, leaving predicates the indexes of 0004_jobs.sql serve.
SELECT j.id, j.company_id, o.name AS company_name, j.poster_id, j.title, j.description,
       j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
       j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at, j.updated_at
FROM jobs j
JOIN organizations o ON o.id = j.company_id
WHERE j.status = :status
  AND (:company_id::UUID IS NULL OR j.company_id = :company_id)
  AND (:employment_type::VARCHAR IS NULL OR j.employment_type = :employment_type)
  AND (:remote::BOOLEAN IS NULL OR j.remote = :remote)
  AND (:skills_all::TEXT[] IS NULL OR lower_all(j.skills_required) @> lower_all(:skills_all))
  AND (:skills_any::TEXT[] IS NULL OR lower_all(j.skills_required) && lower_all(:skills_any))
  AND (:location_pattern::TEXT IS NULL OR j.location ILIKE :location_pattern)
  AND (:after_created_at::TIMESTAMPTZ IS NULL
       OR (j.created_at, j.id) < (:after_created_at, :after_id::UUID))
ORDER BY j.created_at DESC, j.id DESC
LIMIT :limit;

-- name: search_jobs(q, status, company_id, employment_type, remote, skills_all, skills_any, location_pattern, after_rank, after_id, limit)
-- Full-text search: title hits (weight A) outrank description hits (weight B); ties broken by
-- id so the keyset (rank, id) is total. websearch_to_tsquery accepts any user input.
WITH matches AS (
    SELECT j.id, j.company_id, o.name AS company_name, j.poster_id, j.title, j.description,
           j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
           j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at,
           j.updated_at, ts_rank(j.search_vector, query) AS rank
    FROM jobs j
    JOIN organizations o ON o.id = j.company_id
    CROSS JOIN websearch_to_tsquery('english', :q) AS query
    WHERE j.search_vector @@ query
      AND j.status = :status
      AND (:company_id::UUID IS NULL OR j.company_id = :company_id)
      AND (:employment_type::VARCHAR IS NULL OR j.employment_type = :employment_type)
      AND (:remote::BOOLEAN IS NULL OR j.remote = :remote)
      AND (:skills_all::TEXT[] IS NULL OR lower_all(j.skills_required) @> lower_all(:skills_all))
      AND (:skills_any::TEXT[] IS NULL OR lower_all(j.skills_required) && lower_all(:skills_any))
      AND (:location_pattern::TEXT IS NULL OR j.location ILIKE :location_pattern)
)
SELECT * FROM matches
WHERE :after_rank::REAL IS NULL OR (rank, id) < (:after_rank, :after_id::UUID)
ORDER BY rank DESC, id DESC
LIMIT :limit;
