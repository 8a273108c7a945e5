-- Profiles: one per user, created empty at sign-up.

-- name: insert_empty_profile(user_id, full_name)!
INSERT INTO profiles (user_id, full_name) VALUES (:user_id, :full_name);

-- name: ensure_profile(user_id)!
INSERT INTO profiles (user_id) VALUES (:user_id) ON CONFLICT (user_id) DO NOTHING;

-- name: get_profile(user_id)^
-- A profile with its user's roles; the JSONB documents are never NULL for readers.
SELECT p.user_id, u.roles, p.full_name, p.headline, p.bio, p.resume_url, p.avatar_url,
       jsonb_build_object(
           'claimed', coalesce(p.skills -> 'claimed', '[]'::jsonb),
           'verified', coalesce(p.skills -> 'verified', '[]'::jsonb)
       ) AS skills,
       coalesce(p.experience, '[]'::jsonb) AS experience,
       coalesce(p.education, '[]'::jsonb) AS education,
       coalesce(p.portfolio, '[]'::jsonb) AS portfolio,
       p.updated_at
FROM profiles p
JOIN users u ON u.id = p.user_id
WHERE p.user_id = :user_id;

-- name: get_display_name(user_id)$
-- A person's public name (never their email), for "by …" lines.
SELECT full_name FROM profiles WHERE user_id = :user_id;

-- name: resume_visible_to(viewer_id, candidate_id, hiring_roles)$
-- Whether the viewer holds a hiring role (active membership) in a company the candidate has
-- applied to. A withdrawn application no longer shares the resume.
SELECT EXISTS (
    SELECT 1
    FROM job_applications a
    JOIN jobs j ON j.id = a.job_id
    JOIN organization_memberships m ON m.organization_id = j.company_id
    WHERE a.candidate_id = :candidate_id
      AND a.status <> 'withdrawn'
      AND m.user_id = :viewer_id
      AND m.status = 'active'
      AND m.role_in_org = ANY (:hiring_roles::VARCHAR[])
);

-- name: resume_file_visible_to(url, candidate_id, viewer_id, hiring_roles)$
-- Whether the viewer may open this resume file of the candidate: they hold a hiring role
-- (active membership) in a company holding a non-withdrawn application of the candidate
-- that was submitted with this file, or, for the same companies, the file is the resume on
-- the candidate's profile now (the profile shows them that one: resume_visible_to). Any
-- other resume of the candidate (an old one, one sent only to another company, one sent
-- with an application since withdrawn) stays private. The candidate's applications by
-- job_applications_candidate_recent_idx, jobs and memberships by their keys.
SELECT EXISTS (
    SELECT 1
    FROM job_applications a
    JOIN jobs j ON j.id = a.job_id
    JOIN organization_memberships m ON m.organization_id = j.company_id
    LEFT JOIN profiles p ON p.user_id = a.candidate_id
    WHERE a.candidate_id = :candidate_id
      AND a.status <> 'withdrawn'
      AND (a.resume_url = :url OR p.resume_url = :url)
      AND m.user_id = :viewer_id
      AND m.status = 'active'
      AND m.role_in_org = ANY (:hiring_roles::VARCHAR[])
);

-- name: existing_organization_ids(organization_ids)
-- Which of these organizations exist (experience and education may link to them).
SELECT id FROM organizations WHERE id = ANY (:organization_ids::UUID[]);

-- name: update_profile(user_id, fields, full_name, headline, bio, resume_url, avatar_url, claimed, experience, education, portfolio)$
-- Set only the columns named in `fields` (a partial update in one statement, so concurrent
-- edits of different fields both survive). Writing skills replaces `claimed` and keeps the
-- stored `verified` list. Returns NULL when there is no such profile.
UPDATE profiles SET
    full_name = CASE WHEN 'full_name' = ANY (:fields::TEXT[])
                     THEN :full_name::VARCHAR ELSE full_name END,
    headline = CASE WHEN 'headline' = ANY (:fields::TEXT[])
                    THEN :headline::VARCHAR ELSE headline END,
    bio = CASE WHEN 'bio' = ANY (:fields::TEXT[]) THEN :bio::TEXT ELSE bio END,
    resume_url = CASE WHEN 'resume_url' = ANY (:fields::TEXT[])
                      THEN :resume_url::VARCHAR ELSE resume_url END,
    avatar_url = CASE WHEN 'avatar_url' = ANY (:fields::TEXT[])
                      THEN :avatar_url::VARCHAR ELSE avatar_url END,
    skills = CASE WHEN 'skills' = ANY (:fields::TEXT[])
                  THEN jsonb_build_object(
                      'claimed', :claimed::JSONB,
                      'verified', coalesce(skills -> 'verified', '[]'::jsonb))
                  ELSE skills END,
    experience = CASE WHEN 'experience' = ANY (:fields::TEXT[])
                      THEN :experience::JSONB ELSE experience END,
    education = CASE WHEN 'education' = ANY (:fields::TEXT[])
                     THEN :education::JSONB ELSE education END,
    portfolio = CASE WHEN 'portfolio' = ANY (:fields::TEXT[])
                     THEN :portfolio::JSONB ELSE portfolio END
WHERE user_id = :user_id
RETURNING user_id;

-- name: get_person_card(user_id)^
-- What a card about a person shows (a gig's seller): name, photo, headline.
SELECT user_id, full_name, headline, avatar_url FROM profiles WHERE user_id = :user_id;
