-- Recruiter triage (issue 15, item 4): a job's applicants filtered by status and sorted by
-- match score or date with counts per status, bulk moves, and "new since your last visit".
-- A dashboard page is two queries: the keys of the page (an index-only walk of one of the
-- indexes named below, whatever the size of the job), then its rows with their match reasons
-- (list_job_applicants_by_ids), which also serves the live row, the bulk result and the CSV.

-- name: list_job_applicant_keys_by_score(job_id, status, after_score, after_submitted_at, after_id, limit)
-- Best match first (job_applications.match_score, kept by the triggers of migration 0021),
-- then newest. job_applications_job_score_idx, or job_applications_job_status_score_idx
-- with a status; the keyset condition is an index condition of either.
SELECT a.id, a.match_score, a.submitted_at
FROM job_applications a
WHERE a.job_id = :job_id
  AND (:status::VARCHAR IS NULL OR a.status = :status)
  AND (:after_id::UUID IS NULL
       OR (a.match_score, a.submitted_at, a.id)
          < (:after_score::FLOAT8, :after_submitted_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY a.match_score DESC, a.submitted_at DESC, a.id DESC
LIMIT :limit;

-- name: list_job_applicant_keys_newest(job_id, status, after_submitted_at, after_id, limit)
-- Newest first: job_applications_job_recent_idx, or job_applications_job_status_idx.
SELECT a.id, a.match_score, a.submitted_at
FROM job_applications a
WHERE a.job_id = :job_id
  AND (:status::VARCHAR IS NULL OR a.status = :status)
  AND (:after_id::UUID IS NULL
       OR (a.submitted_at, a.id) < (:after_submitted_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY a.submitted_at DESC, a.id DESC
LIMIT :limit;

-- name: list_job_applicant_keys_oldest(job_id, status, after_submitted_at, after_id, limit)
-- Oldest first: the same two indexes as the newest-first query, walked backwards.
SELECT a.id, a.match_score, a.submitted_at
FROM job_applications a
WHERE a.job_id = :job_id
  AND (:status::VARCHAR IS NULL OR a.status = :status)
  AND (:after_id::UUID IS NULL
       OR (a.submitted_at, a.id) > (:after_submitted_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY a.submitted_at, a.id
LIMIT :limit;

-- name: list_job_applicants_by_ids(job_id, ids)
-- The dashboard's rows for the given applications of one job (primary key lookups), each
-- with what a hiring member sees of the candidate, the resume applied with (not once
-- withdrawn), the match and its reasons (application_match: the formula of the stored
-- score, sql/applications/functions.sql) and how many team notes it has
-- (application_notes_application_recent_idx), and the institutes it is a verified student
-- of. In no particular order: the caller orders.
SELECT a.id, a.job_id, j.title AS job_title, j.company_id, o.name AS company_name,
       o.logo_url AS company_logo_url, a.candidate_id, a.status, a.cover_letter, a.submitted_at,
       a.status_changed_at, a.updated_at, u.email, p.full_name, p.headline, p.avatar_url, p.skills,
       CASE WHEN a.status <> 'withdrawn' THEN a.resume_url END AS resume_url,
       a.resume_filename, a.resume_uploaded_at,
       m.score, m.skill_score, m.text_score, m.matched, m.missing, m.matched_verified,
       (SELECT count(*) FROM application_notes n WHERE n.application_id = a.id) AS note_count,
       -- "Verified student of X" (sql/orgs/functions.sql): one membership-key lookup a row
       verified_institutes(a.candidate_id) AS verified_institutes
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
JOIN organizations o ON o.id = j.company_id
JOIN users u ON u.id = a.candidate_id
LEFT JOIN profiles p ON p.user_id = a.candidate_id
CROSS JOIN LATERAL application_match(j.skills_required, j.search_vector, p.match_skill_keys,
                                     p.match_verified_keys, p.match_words) m
WHERE a.job_id = :job_id AND a.id = ANY (:ids::UUID[]);

-- name: count_job_applications_by_status(job_id)
-- The dashboard's counts per status (statuses nobody is in are absent): an index-only scan
-- of job_applications_job_status_idx.
SELECT a.status, count(*) AS n
FROM job_applications a
WHERE a.job_id = :job_id
GROUP BY a.status;

-- name: share_lock_job_for_bulk_move(job_id)$
-- A bulk move holds its job FOR SHARE before it touches any application: a job edit
-- (which locks the job, then rescores its applications: migration 0021's trigger) and a
-- bulk move then lock in the same order and queue instead of deadlocking. Returns the
-- hiring company, NULL when there is no such job (primary key).
SELECT company_id FROM jobs WHERE id = :job_id FOR SHARE;

-- name: list_job_applications_to_move(job_id, ids)
-- A bulk move's applications as they are now (primary key lookups); ids of other jobs and
-- unknown ids are simply absent. Ordered by id: the moves then lock rows in id order, so two
-- bulk moves over the same applications queue instead of deadlocking (their share locks on
-- the job do not exclude each other).
SELECT a.id, a.job_id, j.title AS job_title, j.company_id, a.candidate_id, a.status,
       a.status_changed_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
WHERE a.job_id = :job_id AND a.id = ANY (:ids::UUID[])
ORDER BY a.id;

-- name: record_job_visit(user_id, job_id)$
-- A hiring member opened the job's applicants page: store now as their last visit and
-- return the one before (NULL the first time), which marks the applicants that are new to
-- them. The CTE reads the row as it was before the upsert (one snapshot for the statement).
WITH before AS (
    SELECT visited_at FROM job_applicant_visits WHERE user_id = :user_id AND job_id = :job_id
)
INSERT INTO job_applicant_visits (user_id, job_id, visited_at)
VALUES (:user_id, :job_id, now())
ON CONFLICT (user_id, job_id) DO UPDATE SET visited_at = EXCLUDED.visited_at
RETURNING (SELECT visited_at FROM before);

-- name: count_company_applications_by_status(company_id, user_id)
-- The hiring page: per job of the company and status, how many applications, and how many
-- of them were submitted since this user's last visit of the job's applicants page (all of
-- them before a first visit). Jobs by jobs_company_recent_idx, their applications by
-- job_applications_job_status_idx, the visit by its primary key.
SELECT j.id AS job_id, a.status, count(*) AS n,
       count(*) FILTER (WHERE v.visited_at IS NULL OR a.submitted_at > v.visited_at) AS new
FROM jobs j
JOIN job_applications a ON a.job_id = j.id
LEFT JOIN job_applicant_visits v ON v.user_id = :user_id AND v.job_id = j.id
WHERE j.company_id = :company_id
GROUP BY j.id, a.status;
