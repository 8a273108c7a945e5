-- The board's result count (issue 15, item 6), bounded.

-- name: count_board_jobs(q, status, company_id, employment_type, remote, skills_all, skills_any, location_pattern, cap)$
-- How many jobs the board shows for a search, counting at most `cap` + 1 (the page says
-- "1,000+" past the cap): an exact count of a common term or of the whole board reads every
-- match (132k postings for "manager" at 1M jobs), far more than the page of 20 it heads,
-- and nobody pages that far. The same predicate as list_jobs / search_jobs, served by the
-- same indexes (jobs_search_gin, jobs_skill_keys_gin, jobs_status_recent_idx...).
SELECT count(*) FROM (
    SELECT 1
    FROM jobs j
    WHERE j.status = :status
      AND (:q::TEXT IS NULL OR j.search_vector @@ websearch_to_tsquery('english', :q))
      AND (:company_id::UUID IS NULL OR j.company_id = :company_id)
      AND (:employment_type::VARCHAR IS NULL OR j.employment_type = :employment_type)
      AND (:remote::BOOLEAN IS NULL OR j.remote = :remote)
      AND (:skills_all::TEXT[] IS NULL OR lower_all(j.skills_required) @> lower_all(:skills_all))
      AND (:skills_any::TEXT[] IS NULL OR lower_all(j.skills_required) && lower_all(:skills_any))
      AND (:location_pattern::TEXT IS NULL OR j.location ILIKE :location_pattern)
    LIMIT :cap + 1
) AS counted;
