-- Job alerts' stored functions: the two sides of the inverted index that matching probes
-- (docs/job-alerts.md, "Matching"). Applied by migrate whenever this file changes.
--
-- An alert's match_keys are a disjunction: a job can match the alert only if the job's probe
-- keys share at least one of them. So the alert needs one key when some single term is
-- required of every match (its company, one of its "all" skills, one word of a conjunctive
-- text query), and every skill of an "any" list, or every word of a text query with OR,
-- otherwise. The most selective required term is chosen, in this order (a guess at
-- selectivity that holds on a job board: one company posts a small share of jobs; one skill
-- or word is in a few percent; an employment type or the remote flag in a quarter or more):
--   c:<company_id>   s:<lower-cased skill>   w:<lexeme> (w:<each lexeme> with OR)
--   s:<each "any" skill>   t:<employment_type>   r:<true|false>
--   * (no filter at all: every job is a candidate)
-- The text's keys come from querytree() of the board's websearch_to_tsquery: the query
-- without its negated parts (a NOT term is no key: "python -java" is keyed w:python), which
-- every match satisfies. A query that is all negation ("-java") has querytree 'T', nothing
-- indexable, and falls through to the other filters. A text query that can match nothing
-- (only stop words) has no key: no job is a candidate, as the board shows nothing for it.
-- Location ("contains") has no key of its own: a location-only alert is keyed `*`, and
-- checked exactly like the others.

-- job_alert_keys(): the alert's side, stored in job_alerts.match_keys when it is saved.
CREATE OR REPLACE FUNCTION job_alert_keys(
    p_q TEXT, p_skills TEXT[], p_skills_match TEXT, p_company_id UUID,
    p_employment_type TEXT, p_remote BOOLEAN
) RETURNS TEXT[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    query TSQUERY;
    indexable TEXT;
    words TEXT[];
BEGIN
    IF p_q IS NOT NULL THEN
        query := websearch_to_tsquery('english', p_q);
        IF numnode(query) = 0 THEN
            RETURN '{}';
        END IF;
        indexable := querytree(query)::TEXT;
    END IF;
    IF p_company_id IS NOT NULL THEN
        RETURN ARRAY['c:' || p_company_id];
    END IF;
    IF p_skills_match = 'all' AND cardinality(p_skills) > 0 THEN
        RETURN ARRAY(SELECT 's:' || lower(s) FROM unnest(p_skills) AS s
                     ORDER BY length(s) DESC, lower(s) LIMIT 1);
    END IF;
    IF indexable IS NOT NULL AND indexable <> 'T' THEN
        -- The quoted lexemes of the query tree, longest first ('' is a quote inside one).
        words := ARRAY(
            SELECT l.w
            FROM (SELECT DISTINCT replace(m[1], '''''', '''') AS w
                  FROM regexp_matches(indexable, '''((?:[^'']|'''')+)''', 'g') AS m) AS l
            ORDER BY length(l.w) DESC, l.w);
        -- Without OR (|) outside the lexemes, every lexeme is required (& and phrases <->):
        -- the longest is enough. With OR a match has some of them, not known which: all.
        IF strpos(regexp_replace(indexable, '''(?:[^'']|'''')+''', '', 'g'), '|') = 0 THEN
            RETURN ARRAY['w:' || words[1]];
        END IF;
        RETURN ARRAY(SELECT 'w:' || w FROM unnest(words) AS w);
    END IF;
    IF cardinality(p_skills) > 0 THEN
        RETURN ARRAY(SELECT DISTINCT 's:' || lower(s) FROM unnest(p_skills) AS s);
    END IF;
    IF p_employment_type IS NOT NULL THEN
        RETURN ARRAY['t:' || p_employment_type];
    END IF;
    IF p_remote IS NOT NULL THEN
        RETURN ARRAY['r:' || p_remote];
    END IF;
    RETURN ARRAY['*'];
END;
$$;

-- job_probe_keys(): the job's side: every key an alert could be filed under that this job
-- satisfies. A few dozen to a few hundred keys (one per distinct word of title and
-- description), probed against job_alerts_match_keys_gin in one bitmap scan.
CREATE OR REPLACE FUNCTION job_probe_keys(
    p_company_id UUID, p_skills TEXT[], p_search_vector TSVECTOR,
    p_employment_type TEXT, p_remote BOOLEAN
) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['*', 'c:' || p_company_id, 't:' || p_employment_type, 'r:' || p_remote]
           || ARRAY(SELECT 's:' || k FROM unnest(lower_all(p_skills)) AS k)
           || ARRAY(SELECT 'w:' || w FROM unnest(tsvector_to_array(p_search_vector)) AS w)
$$;
