-- Recruiter triage (issue 15, item 4): a job's applicants sorted by match score, private team
-- notes on an application, and "new since your last visit" on the hiring page.
--
-- Added beyond the design document, and why:
-- * job_applications.match_score: the applicant's match score for the job (the formula of
--   sql/matching/matching.sql, ranked_applicants), stored so that the applicants dashboard
--   sorts a job's 10,000 applicants by score with an index scan. Computed on the fly, every
--   page had to score every applicant first: 75 ms of SQL for one page of a 10k-applicant job
--   on the bench machine (250 ms over HTTP on the shared box), growing with the job; the
--   keys of any page read from these indexes take 0.1 ms (docs/jobs-and-applications.md,
--   "Recruiter triage", has the figures).
--   It is kept honest by triggers, in the transaction of the change that moves it:
--     - on INSERT of an application (BEFORE: the row is stored with its score);
--     - on a profile insert or an update that changes what matching reads of it
--       (profiles.match_skill_keys, match_verified_keys, match_words): that candidate's
--       applications (a handful of rows);
--     - on a job update that changes its skills_required or search_vector (title,
--       description): that job's applications (all of them, once per edit of those fields;
--       10k rows take 0.4 to 0.8 s on the bench machine, and job edits are rare).
--   A rescoring updates only rows whose score changes, but those rows' updated_at moves.
--   Applicants without a profile score 0 (no skills, no words), as the formula gives.
--   The score's reasons (matched and missing skills) are computed when a page is read, for
--   its rows only, by the same function (application_match).
-- * job_applications_job_score_idx, job_applications_job_status_score_idx: the two access
--   paths of the score sort, without and with a status filter (keyset on
--   (match_score, submitted_at, id), all descending). The date sorts use the indexes of 0006.
-- * application_notes: private notes of the hiring team on an application. Never shown to
--   the candidate (not even a candidate who later joined the hiring team: the service checks).
--   Paged newest first by application_notes_application_recent_idx. author_id is kept NULL
--   when the author's account is deleted: the note stays, as a team's record.
-- * job_applicant_visits: when each hiring member last opened a job's applicants page, one
--   row per user and job (upserted on each visit): the hiring page counts the applications
--   submitted since then as "new since your last visit", and the dashboard marks them.

CREATE FUNCTION application_match(
    p_skills_required TEXT[], p_search_vector TSVECTOR, p_skill_keys TEXT[],
    p_verified_keys TEXT[], p_words TSQUERY,
    OUT score FLOAT8, OUT skill_score FLOAT8, OUT text_score FLOAT8,
    OUT matched TEXT[], OUT missing TEXT[], OUT matched_verified TEXT[])
RETURNS SETOF record LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT (0.75 * k.skill_score + 0.25 * t.text_score)::FLOAT8, k.skill_score, t.text_score,
           k.matched, k.missing, k.matched_verified
    FROM (
        SELECT coalesce(array_agg(u.s ORDER BY u.n)
                        FILTER (WHERE lower(u.s) = ANY (coalesce(p_skill_keys, '{}'))), '{}')
                   AS matched,
               coalesce(array_agg(u.s ORDER BY u.n)
                        FILTER (WHERE NOT lower(u.s) = ANY (coalesce(p_skill_keys, '{}'))), '{}')
                   AS missing,
               coalesce(array_agg(u.s ORDER BY u.n)
                        FILTER (WHERE lower(u.s) = ANY (coalesce(p_verified_keys, '{}'))), '{}')
                   AS matched_verified,
               CASE WHEN count(*) = 0 THEN 0::FLOAT8 ELSE (
                   count(*) FILTER (WHERE lower(u.s) = ANY (coalesce(p_verified_keys, '{}')))
                   + 0.6 * count(*) FILTER (
                       WHERE lower(u.s) = ANY (coalesce(p_skill_keys, '{}'))
                         AND NOT lower(u.s) = ANY (coalesce(p_verified_keys, '{}')))
               )::FLOAT8 / count(*) END AS skill_score
        FROM unnest(p_skills_required) WITH ORDINALITY AS u(s, n)
    ) k
    CROSS JOIN (
        SELECT coalesce(ts_rank(p_search_vector, p_words, 32), 0)::FLOAT8 AS text_score
    ) t
$$;

CREATE FUNCTION score_new_application() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    skill_keys TEXT[];
    verified_keys TEXT[];
    words TSQUERY;
BEGIN
    -- FOR SHARE: a profile or job edit in flight is waited for and its committed row read
    -- (the latest version, whatever this statement's snapshot); one that starts later
    -- waits for this application to commit, and then rescores it.
    SELECT p.match_skill_keys, p.match_verified_keys, p.match_words
    INTO skill_keys, verified_keys, words
    FROM profiles p WHERE p.user_id = NEW.candidate_id
    FOR SHARE;
    SELECT m.score INTO NEW.match_score
    FROM (SELECT j.skills_required, j.search_vector FROM jobs j WHERE j.id = NEW.job_id
          FOR SHARE) j
    CROSS JOIN LATERAL application_match(j.skills_required, j.search_vector,
                                         skill_keys, verified_keys, words) m;
    NEW.match_score := coalesce(NEW.match_score, 0);
    RETURN NEW;
END;
$$;

CREATE FUNCTION rescore_candidate_applications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Share-lock the candidate's jobs first, in id order: a job edit in flight is waited
    -- for, and one that starts later waits for this commit and then reads this profile.
    -- The UPDATE is a statement of its own, so (READ COMMITTED) its snapshot is taken after
    -- the locks and sees the committed job.
    PERFORM 1 FROM jobs
    WHERE id IN (SELECT job_id FROM job_applications WHERE candidate_id = NEW.user_id)
    ORDER BY id
    FOR SHARE;
    UPDATE job_applications a
    SET match_score = m.score
    FROM jobs j
    CROSS JOIN LATERAL application_match(j.skills_required, j.search_vector,
                                         NEW.match_skill_keys, NEW.match_verified_keys,
                                         NEW.match_words) m
    WHERE a.candidate_id = NEW.user_id AND j.id = a.job_id
      AND a.match_score IS DISTINCT FROM m.score;
    RETURN NULL;
END;
$$;

CREATE FUNCTION rescore_job_applications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The job row is locked by the UPDATE that fired this; a profile edit's rescoring took
    -- its share lock first, so every profile edit that rescored with the old job has
    -- committed by now, and this statement (its own snapshot) reads those profiles.
    UPDATE job_applications a
    SET match_score = coalesce(m.score, 0)
    FROM job_applications s
    LEFT JOIN profiles p ON p.user_id = s.candidate_id
    CROSS JOIN LATERAL application_match(NEW.skills_required, NEW.search_vector,
                                         p.match_skill_keys, p.match_verified_keys,
                                         p.match_words) m
    WHERE s.job_id = NEW.id AND a.id = s.id
      AND a.match_score IS DISTINCT FROM coalesce(m.score, 0);
    RETURN NULL;
END;
$$;

ALTER TABLE job_applications ADD COLUMN match_score FLOAT8 NOT NULL DEFAULT 0;

CREATE TRIGGER job_applications_score BEFORE INSERT ON job_applications
    FOR EACH ROW EXECUTE FUNCTION score_new_application();
CREATE TRIGGER profiles_score_applications AFTER INSERT ON profiles
    FOR EACH ROW EXECUTE FUNCTION rescore_candidate_applications();
CREATE TRIGGER profiles_rescore_applications AFTER UPDATE ON profiles
    FOR EACH ROW
    WHEN (OLD.match_skill_keys IS DISTINCT FROM NEW.match_skill_keys
          OR OLD.match_verified_keys IS DISTINCT FROM NEW.match_verified_keys
          OR OLD.match_words IS DISTINCT FROM NEW.match_words)
    EXECUTE FUNCTION rescore_candidate_applications();
CREATE TRIGGER jobs_rescore_applications AFTER UPDATE OF skills_required, title, description
    ON jobs FOR EACH ROW
    WHEN (OLD.skills_required IS DISTINCT FROM NEW.skills_required
          OR OLD.search_vector IS DISTINCT FROM NEW.search_vector)
    EXECUTE FUNCTION rescore_job_applications();

-- The backfill after the triggers: a profile or job edit that commits once a trigger
-- exists rescores through it, and every one committed before is in the backfill's
-- snapshot (CREATE TRIGGER waits for the table's writers in flight).
UPDATE job_applications a
SET match_score = m.score
FROM jobs j, profiles p,
     LATERAL application_match(j.skills_required, j.search_vector, p.match_skill_keys,
                               p.match_verified_keys, p.match_words) m
WHERE j.id = a.job_id AND p.user_id = a.candidate_id;

CREATE INDEX job_applications_job_score_idx
    ON job_applications (job_id, match_score DESC, submitted_at DESC, id DESC);
CREATE INDEX job_applications_job_status_score_idx
    ON job_applications (job_id, status, match_score DESC, submitted_at DESC, id DESC);

CREATE TABLE application_notes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id UUID NOT NULL REFERENCES job_applications(id) ON DELETE CASCADE,
    author_id UUID REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX application_notes_application_recent_idx
    ON application_notes (application_id, created_at DESC, id DESC);
CREATE INDEX application_notes_author_idx ON application_notes (author_id);

CREATE TABLE job_applicant_visits (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    job_id UUID NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    visited_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (user_id, job_id)
);
CREATE INDEX job_applicant_visits_job_idx ON job_applicant_visits (job_id);
