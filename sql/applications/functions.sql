-- Applications' stored functions: the current definition of each, in one place (applied by
-- migrate whenever this file changes: see sql/messaging/functions.sql's header). Created by
-- migration 0021 (recruiter triage), which says why the score is stored.
--
-- application_match(): one applicant's match with one job, the formula of
-- sql/matching/matching.sql (ranked_applicants), so the stored job_applications.match_score,
-- the dashboard's reasons and GET /api/jobs/{job_id}/candidates give the same numbers
-- (tests/applications/test_triage.py compares them). NULL profile inputs (no profile) score 0
-- and miss every required skill. Declared SETOF (one row) so that PostgreSQL inlines it into
-- the calling query (LATERAL) instead of planning its body on every execution: 0.25 ms
-- instead of 1.2 ms for a dashboard page of 20 rows.
--
-- score_new_application(), rescore_candidate_applications(), rescore_job_applications():
-- the triggers that keep job_applications.match_score equal to application_match() of the
-- current job and profile (a new application; a profile whose match_* columns changed; a
-- job whose skills or text changed). Each rescoring writes only the rows whose score moved.
-- Concurrent edits meet on the jobs row: a job edit locks it, and the other two take it FOR
-- SHARE before they read the job (a new application also takes the profile FOR SHARE), so
-- of two edits that touch one application's score the later runs after the earlier commits
-- and reads what it wrote (tests/applications/test_score_races.py).
--
-- Changing application_match()'s formula (here) changes no stored score: only the rows a
-- later edit touches would follow, and the score sort would disagree with the scores shown.
-- A formula change therefore comes with a migration that defines the new application_match()
-- itself (migrations run before this file is applied) and then rescores every application
-- (the backfill UPDATE of migration 0021, run again). tests/applications/test_score_migration.py
-- fails without one: it migrates a small data set from before 0021 and compares each stored
-- score with the one computed by the current formula.

CREATE OR REPLACE FUNCTION application_match(
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

CREATE OR REPLACE FUNCTION score_new_application() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION rescore_candidate_applications() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION rescore_job_applications() RETURNS trigger LANGUAGE plpgsql AS $$
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
