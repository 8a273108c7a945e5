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
SELECT j.id, j.company_id, o.name AS company_name, o.logo_url AS company_logo_url,
       j.poster_id, j.title, j.description,
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
SELECT j.id, j.company_id, o.name AS company_name, o.logo_url AS company_logo_url,
       j.poster_id, j.title, j.description,
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

-- name: list_open_jobs_by_skills(skills_all, skills_any, after_created_at, after_id, scan, limit)
-- list_jobs for open jobs filtered by skills alone: the same rows in the same order, found
-- through job_match_keys (0010: one narrow row per open job, its created_at and lower-cased
-- skills, kept by a trigger), in two bounded steps:
-- 1. walked: the `scan` newest open jobs (below the cursor), by job_match_keys_recent_idx,
--    each narrow row's array tested; enough for a page when the combination is common.
-- 2. otherwise (fewer than `limit` found there, so the combination is rare: under
--    limit / scan of the board), every match from job_match_keys_skills_gin, newest first.
-- The planner cannot choose between the two itself: it estimates a combination of skills
-- as if they were independent (5 stack skills in 5-10% of jobs each: "1 row"; 5,147 in
-- fact), so it took the GIN bitmap, fetched every match and joined each to its job before
-- sorting (37 ms at 1M jobs). The wide job rows and companies are read for the page only.
WITH walked AS MATERIALIZED (
    SELECT recent.job_id AS id, recent.created_at
    FROM (
        SELECT m.job_id, m.created_at, m.skill_keys
        FROM job_match_keys m
        WHERE :after_created_at::TIMESTAMPTZ IS NULL
           OR (m.created_at, m.job_id) < (:after_created_at, :after_id::UUID)
        ORDER BY m.created_at DESC, m.job_id DESC
        LIMIT :scan
    ) AS recent
    WHERE (:skills_all::TEXT[] IS NULL OR recent.skill_keys @> lower_all(:skills_all))
      AND (:skills_any::TEXT[] IS NULL OR recent.skill_keys && lower_all(:skills_any))
    ORDER BY recent.created_at DESC, recent.job_id DESC
    LIMIT :limit
), page AS (
    SELECT w.id, w.created_at FROM walked w WHERE (SELECT count(*) FROM walked) >= :limit
    UNION ALL
    (SELECT m.job_id, m.created_at
     FROM job_match_keys m
     WHERE (SELECT count(*) FROM walked) < :limit
       AND (:skills_all::TEXT[] IS NULL OR m.skill_keys @> lower_all(:skills_all))
       AND (:skills_any::TEXT[] IS NULL OR m.skill_keys && lower_all(:skills_any))
       AND (:after_created_at::TIMESTAMPTZ IS NULL
            OR (m.created_at, m.job_id) < (:after_created_at, :after_id::UUID))
     ORDER BY m.created_at DESC, m.job_id DESC
     LIMIT :limit)
)
SELECT j.id, j.company_id, o.name AS company_name, o.logo_url AS company_logo_url,
       j.poster_id, j.title, j.description,
       j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
       j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at, j.updated_at
FROM page
JOIN jobs j ON j.id = page.id
JOIN organizations o ON o.id = j.company_id
ORDER BY page.created_at DESC, page.id DESC;

-- name: search_jobs(q, status, company_id, employment_type, remote, skills_all, skills_any, location_pattern, before_at, before_id, top_at, top_id, floor_at, floor_id, after_rank, after_id, pool, limit)
-- Full-text search, ranked within a window of the newest matches, so a page costs the same
-- however many jobs match (docs/jobs-and-applications.md, "Search at scale"):
-- 1. The window: the `pool` newest matches below `before` (the previous window's oldest
--    job; none for the first window), or, on a later page of the same window, at or below
--    its `top` and, outside the LIMIT, at or above its `floor` (so a job closed meanwhile
--    leaves the window and no older job slips in). The planner walks jobs_status_recent_idx
--    testing each row when the term is common (it stops after about pool / selectivity
--    rows) and reads jobs_search_gin when it is rare (few matches); either way no more than
--    the window is sorted. Every page of a window is planned like its first: a date range
--    [floor, top] inside the CTE made the planner AND a GIN bitmap of every match (132k
--    postings for "manager" at 1M jobs, 21 ms) with the range instead of walking it.
-- 2. Each job of the window ranked by ts_rank over the stored weighted search_vector (title
--    weight A above description weight B), carried from step 1; the page keysets on
--    (rank, id) within the window, and only the page's jobs and companies are read again.
-- Every row carries the window's size, newest and oldest job, for the cursor.
-- websearch_to_tsquery accepts any user input.
WITH newest AS MATERIALIZED (
    SELECT j.id, j.created_at, j.search_vector
    FROM jobs j
    WHERE j.search_vector @@ websearch_to_tsquery('english', :q)
      AND j.status = :status
      AND (:company_id::UUID IS NULL OR j.company_id = :company_id)
      AND (:employment_type::VARCHAR IS NULL OR j.employment_type = :employment_type)
      AND (:remote::BOOLEAN IS NULL OR j.remote = :remote)
      AND (:skills_all::TEXT[] IS NULL OR lower_all(j.skills_required) @> lower_all(:skills_all))
      AND (:skills_any::TEXT[] IS NULL OR lower_all(j.skills_required) && lower_all(:skills_any))
      AND (:location_pattern::TEXT IS NULL OR j.location ILIKE :location_pattern)
      AND (:before_at::TIMESTAMPTZ IS NULL
           OR (j.created_at, j.id) < (:before_at, :before_id::UUID))
      AND (:top_at::TIMESTAMPTZ IS NULL OR (j.created_at, j.id) <= (:top_at, :top_id::UUID))
    ORDER BY j.created_at DESC, j.id DESC
    LIMIT :pool
), matches AS (
    SELECT n.id, n.created_at, n.search_vector
    FROM newest n
    WHERE :floor_at::TIMESTAMPTZ IS NULL OR (n.created_at, n.id) >= (:floor_at, :floor_id::UUID)
), window_bounds AS (
    SELECT (SELECT count(*) FROM matches) AS window_size,
           newest_match.created_at AS window_top_at, newest_match.id AS window_top_id,
           oldest_match.created_at AS window_floor_at, oldest_match.id AS window_floor_id
    FROM (SELECT m.created_at, m.id FROM matches m
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1) newest_match,
         (SELECT m.created_at, m.id FROM matches m ORDER BY m.created_at, m.id LIMIT 1) oldest_match
), ranked AS (
    SELECT m.id, ts_rank(m.search_vector, websearch_to_tsquery('english', :q)) AS rank
    FROM matches m
), page AS (
    SELECT r.id, r.rank
    FROM ranked r
    WHERE :after_rank::REAL IS NULL OR (r.rank, r.id) < (:after_rank, :after_id::UUID)
    ORDER BY r.rank DESC, r.id DESC
    LIMIT :limit
)
SELECT j.id, j.company_id, o.name AS company_name, o.logo_url AS company_logo_url,
       j.poster_id, j.title, j.description,
       j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
       j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at, j.updated_at,
       p.rank, b.window_size, b.window_top_at, b.window_top_id, b.window_floor_at,
       b.window_floor_id
FROM page p
JOIN jobs j ON j.id = p.id
JOIN organizations o ON o.id = j.company_id
CROSS JOIN window_bounds b
ORDER BY p.rank DESC, p.id DESC;
