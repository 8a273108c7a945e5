-- Recommendations at a million jobs (issue 12; docs/enrichment.md, "Matching").
--
-- recommended_jobs takes the newest `pool` open jobs sharing a skill with the profile. With
-- only job_match_keys_skills_gin, that meant every overlapping job first (382k of 1M when a
-- profile has common skills), materialized and sorted on disk, to keep 1,000. This b-tree
-- lets the planner walk job_match_keys newest first instead, testing `skill_keys && keys`
-- on each narrow row and stopping at `pool` matches; for rare skills it still picks the GIN
-- index. Same table and columns; one index added.
CREATE INDEX job_match_keys_recent_idx ON job_match_keys (created_at DESC, job_id DESC);
