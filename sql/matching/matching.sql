-- Matching candidates and jobs: one score both ways (docs/enrichment.md, "Matching").
--
--   skill_score = (1.0 * required skills the candidate has verified
--                  + 0.6 * required skills only claimed) / number of required skills
--   text_score  = ts_rank(job.search_vector, profile words, normalization 32), in [0, 1)
--   score       = 0.75 * skill_score + 0.25 * text_score
--
-- Skills compare case-insensitively. The profile side is precomputed in profiles.match_*
-- (stored generated columns, migration 0010).

-- name: match_profile(user_id)^
-- What matching needs of a profile (the tsqueries as text; NULL when the profile has none).
SELECT match_skill_keys AS skill_keys, match_verified_keys AS verified_keys,
       match_words::TEXT AS words, match_titles::TEXT AS titles
FROM profiles
WHERE user_id = :user_id;

-- name: recommended_jobs(user_id, skill_keys, verified_keys, words, titles, pool, limit)
-- 1. The pool: the `pool` newest open jobs that share a skill with the profile
--    (job_match_keys.skill_keys && keys) or contain its headline or a job title as a phrase
--    (search_vector @@ titles). No step ever holds more than `pool` rows:
--    * by_skill, the `pool` newest skill matches: for common skills the planner walks
--      job_match_keys_recent_idx testing each narrow row and stops at `pool`; for rare ones
--      it reads job_match_keys_skills_gin (few matches).
--    * by_title, when by_skill is full: only title matches at least as new as its oldest
--      can enter the pool, so jobs_status_recent_idx is walked down to that date, testing
--      each row. The test is spelled ts_match_vq(), the function behind @@, so that the
--      planner cannot turn it into a jobs_search_gin scan: a phrase's GIN bitmap holds every
--      job with its words ("develop": 200k postings at 1M jobs, 17 ms) and the planner,
--      not knowing the date at plan time, preferred it. An unbounded walk instead read
--      220k rows (phrase selectivity is overestimated).
--    * by_title, when by_skill is not full (rare skills): the `pool` newest title matches,
--      walked or from jobs_search_gin, as the planner estimates.
--    The newest `pool` of the two are the newest `pool` of all matches.
-- 2. Each pooled job the user has not applied to (withdrawn included: they cannot apply
--    again) scored; the best `limit` returned, with matched and missing skills. The test
--    is one probe of the unique (job_id, candidate_id) index per pooled job, after the
--    pool is cut: filtering inside by_skill would hide the LIMIT from the planner's walk.
WITH by_skill AS MATERIALIZED (
    SELECT m.job_id AS id, m.created_at
    FROM job_match_keys m
    WHERE m.skill_keys && :skill_keys::TEXT[]
    ORDER BY m.created_at DESC, m.job_id DESC
    LIMIT :pool
), skill_floor AS MATERIALIZED (
    SELECT count(*) >= :pool AS is_full, min(created_at) AS oldest FROM by_skill
), by_title AS (
    (SELECT j.id, j.created_at
     FROM jobs j
     WHERE (SELECT is_full FROM skill_floor)
       AND j.status = 'open' AND j.created_at >= (SELECT oldest FROM skill_floor)
       AND ts_match_vq(j.search_vector, :titles::tsquery)
     ORDER BY j.created_at DESC, j.id DESC
     LIMIT :pool)
    UNION ALL
    (SELECT j.id, j.created_at
     FROM jobs j
     WHERE NOT (SELECT is_full FROM skill_floor)
       AND j.status = 'open' AND j.search_vector @@ :titles::tsquery
     ORDER BY j.created_at DESC, j.id DESC
     LIMIT :pool)
), pool AS (
    SELECT id, created_at
    FROM (SELECT id, created_at FROM by_skill UNION SELECT id, created_at FROM by_title) AS u
    ORDER BY created_at DESC, id DESC
    LIMIT :pool
)
SELECT j.id, j.company_id, o.name AS company_name, o.logo_url AS company_logo_url,
       j.poster_id, j.title, j.description,
       j.skills_required, j.attachments, j.status, j.location, j.employment_type, j.remote,
       j.salary_min, j.salary_max, j.salary_currency, j.closed_at, j.created_at, j.updated_at,
       k.matched, k.missing, k.matched_verified, k.skill_score, t.text_score,
       (0.75 * k.skill_score + 0.25 * t.text_score)::FLOAT8 AS score
FROM pool
JOIN jobs j ON j.id = pool.id
JOIN organizations o ON o.id = j.company_id
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(s ORDER BY n) FILTER (WHERE lower(s) = ANY (:skill_keys::TEXT[])),
                    '{}') AS matched,
           coalesce(array_agg(s ORDER BY n)
                    FILTER (WHERE NOT lower(s) = ANY (:skill_keys::TEXT[])), '{}') AS missing,
           coalesce(array_agg(s ORDER BY n)
                    FILTER (WHERE lower(s) = ANY (:verified_keys::TEXT[])), '{}')
               AS matched_verified,
           CASE WHEN count(*) = 0 THEN 0::FLOAT8 ELSE (
               count(*) FILTER (WHERE lower(s) = ANY (:verified_keys::TEXT[]))
               + 0.6 * count(*) FILTER (WHERE lower(s) = ANY (:skill_keys::TEXT[])
                                          AND NOT lower(s) = ANY (:verified_keys::TEXT[]))
           )::FLOAT8 / count(*) END AS skill_score
    FROM unnest(j.skills_required) WITH ORDINALITY AS u(s, n)
) k
CROSS JOIN LATERAL (
    SELECT coalesce(ts_rank(j.search_vector, :words::tsquery, 32), 0)::FLOAT8 AS text_score
) t
WHERE NOT EXISTS (
    SELECT 1 FROM job_applications a WHERE a.job_id = j.id AND a.candidate_id = :user_id
)
ORDER BY score DESC, j.created_at DESC, j.id
LIMIT :limit;

-- name: match_job_for_user(job_id, user_id)^
-- One job scored against one user's profile (the job page's "How you match"): the same
-- numbers recommended_jobs and ranked_applicants give. Job and profile by primary key;
-- no row when either is missing.
SELECT j.id AS job_id, k.matched, k.missing, k.matched_verified, k.skill_score,
       t.text_score, (0.75 * k.skill_score + 0.25 * t.text_score)::FLOAT8 AS score
FROM jobs j
JOIN profiles p ON p.user_id = :user_id
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(s ORDER BY n) FILTER (WHERE lower(s) = ANY (p.match_skill_keys)),
                    '{}') AS matched,
           coalesce(array_agg(s ORDER BY n)
                    FILTER (WHERE NOT lower(s) = ANY (p.match_skill_keys)), '{}') AS missing,
           coalesce(array_agg(s ORDER BY n)
                    FILTER (WHERE lower(s) = ANY (p.match_verified_keys)), '{}')
               AS matched_verified,
           CASE WHEN count(*) = 0 THEN 0::FLOAT8 ELSE (
               count(*) FILTER (WHERE lower(s) = ANY (p.match_verified_keys))
               + 0.6 * count(*) FILTER (WHERE lower(s) = ANY (p.match_skill_keys)
                                          AND NOT lower(s) = ANY (p.match_verified_keys))
           )::FLOAT8 / count(*) END AS skill_score
    FROM unnest(j.skills_required) WITH ORDINALITY AS u(s, n)
) k
CROSS JOIN LATERAL (
    SELECT coalesce(ts_rank(j.search_vector, p.match_words, 32), 0)::FLOAT8 AS text_score
) t
WHERE j.id = :job_id;

-- name: job_for_matching(job_id)^
SELECT j.id, j.company_id, j.title, j.status FROM jobs j WHERE j.id = :job_id;

-- name: ranked_applicants(job_id, limit)
-- The job's applicants (job_applications_job_status_idx: job_id, withdrawn ones left out;
-- profiles by primary key), each scored against the job by application_match()
-- (sql/applications/functions.sql: the formula of the dashboard's stored score, so both give
-- the same numbers), with the institutes each is a verified student of.
SELECT a.id AS application_id, a.candidate_id, a.status, a.submitted_at,
       p.full_name, p.headline,
       m.matched, m.missing, m.matched_verified, m.skill_score, m.text_score, m.score,
       verified_institutes(a.candidate_id) AS verified_institutes
FROM jobs j
JOIN job_applications a ON a.job_id = j.id AND a.status <> 'withdrawn'
JOIN profiles p ON p.user_id = a.candidate_id
CROSS JOIN LATERAL application_match(j.skills_required, j.search_vector, p.match_skill_keys,
                                     p.match_verified_keys, p.match_words) m
WHERE j.id = :job_id
ORDER BY m.score DESC, a.submitted_at, a.id
LIMIT :limit;
