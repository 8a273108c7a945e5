-- Job applications: apply, review (workflow 1, step 3), and the status state machine.

-- name: get_job_to_apply(job_id)^
-- FOR SHARE holds off a concurrent close until the application is in, so no application
-- lands on a job that was closed before it committed.
SELECT id, company_id, title, status FROM jobs WHERE id = :job_id FOR SHARE;

-- name: get_profile_resume(candidate_id)$
-- The resume on the candidate's profile now: what an application carries unless the
-- candidate chooses another of their resume uploads (profiles primary key).
SELECT resume_url FROM profiles WHERE user_id = :candidate_id;

-- name: insert_application(job_id, candidate_id, cover_letter, resume_url, resume_upload_id)$
-- NULL when this candidate already applied: the unique (job_id, candidate_id) decides,
-- atomically, so two simultaneous clicks cannot both succeed. `resume_url` is the resume
-- submitted (the profile's, or one the service checked is the caller's complete resume
-- upload); its file name and upload time are copied from the upload (primary key), so the
-- application keeps them whatever happens to the profile later (migration 0019).
INSERT INTO job_applications (job_id, candidate_id, cover_letter, resume_url, resume_filename,
                              resume_uploaded_at)
SELECT :job_id, :candidate_id, :cover_letter, :resume_url::VARCHAR, u.filename, u.completed_at
FROM (SELECT 1) AS one
LEFT JOIN uploads u ON u.id = :resume_upload_id::UUID AND u.owner_id = :candidate_id
ON CONFLICT (job_id, candidate_id) DO NOTHING
RETURNING id;

-- name: get_application(application_id)^
-- One application with its job, company and candidate (the review screen's columns), and
-- the resume applied with: the service hides it from the company once withdrawn (the
-- candidate still sees what they sent).
SELECT a.id, a.job_id, j.title AS job_title, j.company_id, o.name AS company_name,
       o.logo_url AS company_logo_url, a.candidate_id, a.status, a.cover_letter, a.submitted_at,
       a.status_changed_at, a.updated_at, u.email, p.full_name, p.headline, p.avatar_url, p.skills,
       a.resume_url, a.resume_filename, a.resume_uploaded_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
JOIN organizations o ON o.id = j.company_id
JOIN users u ON u.id = a.candidate_id
LEFT JOIN profiles p ON p.user_id = a.candidate_id
WHERE a.id = :application_id;

-- name: list_candidate_applications(candidate_id, status, after_submitted_at, after_id, limit)
-- "My applications", newest first, keyset-paginated on (submitted_at, id).
SELECT a.id, a.job_id, j.title AS job_title, j.company_id, o.name AS company_name,
       o.logo_url AS company_logo_url, a.candidate_id, a.status, a.cover_letter, a.submitted_at,
       a.status_changed_at, a.updated_at, a.resume_url, a.resume_filename, a.resume_uploaded_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
JOIN organizations o ON o.id = j.company_id
WHERE a.candidate_id = :candidate_id
  AND (:status::VARCHAR IS NULL OR a.status = :status)
  AND (:after_submitted_at::TIMESTAMPTZ IS NULL
       OR (a.submitted_at, a.id) < (:after_submitted_at, :after_id::UUID))
ORDER BY a.submitted_at DESC, a.id DESC
LIMIT :limit;

-- name: get_candidate_application_for_job(job_id, candidate_id)^
-- The candidate's application to one job, if any (the job page's "Your application"), by
-- the unique (job_id, candidate_id).
SELECT a.id, a.job_id, j.title AS job_title, j.company_id, o.name AS company_name,
       o.logo_url AS company_logo_url, a.candidate_id, a.status, a.cover_letter, a.submitted_at,
       a.status_changed_at, a.updated_at, a.resume_url, a.resume_filename, a.resume_uploaded_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
JOIN organizations o ON o.id = j.company_id
WHERE a.job_id = :job_id AND a.candidate_id = :candidate_id;

-- name: move_application(application_id, expected, status)$
-- Compare-and-set: moves only from the status the caller's decision was based on; NULL
-- means another move got there first and the decision must be made again.
UPDATE job_applications
SET status = :status, status_changed_at = now()
WHERE id = :application_id AND status = :expected
RETURNING id;

-- name: get_application_status(application_id)$
SELECT status FROM job_applications WHERE id = :application_id;

-- name: list_members_with_roles(organization_id, roles)
-- Who receives a company's hiring events: its active members holding one of `roles`.
SELECT DISTINCT user_id
FROM organization_memberships
WHERE organization_id = :organization_id AND status = 'active'
  AND role_in_org = ANY(:roles::VARCHAR[])
ORDER BY user_id;
