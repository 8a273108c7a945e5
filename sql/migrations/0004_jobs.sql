-- Jobs (design document, table 5).
--
-- Added beyond the design document, and why:
-- * status (open/closed) and closed_at: a filled job stops taking applications but its
--   history (applications, conversations) stays.
-- * location, employment_type, remote, salary_min/max/currency: the filters a job board
--   needs; salary in minor units (integers, no float money) with an ISO 4217-shaped currency
--   code, required whenever a salary is given, and a check that the range is ordered.
-- * skills_required and attachments default to empty arrays so readers never meet NULL.
-- * search_vector: a stored, weighted tsvector (title weight A, description weight B) with a
--   GIN index, so full-text search ranks title hits above description hits.
-- * lower_all(TEXT[]): skills keep the spelling the poster typed ("PostgreSQL"), but filters
--   match case-insensitively; the GIN index is on lower_all(skills_required), which serves
--   both the "all" (@>) and "any" (&&) skill filters. A plain GIN on skills_required would
--   only serve case-sensitive matches, so there is none.
-- * created_at / updated_at with the shared trigger.
--
-- Indexes: every list query filters on status and pages on (created_at DESC, id DESC), so the
-- b-trees lead with the equality filters and end in that order (a keyset page is one index
-- range scan, no sort). Selective filters have their own index; PostgreSQL ANDs bitmaps for
-- combinations, and with none of them the status b-tree serves the walk.
--   status                      jobs_status_recent_idx
--   company_id (+ FK)           jobs_company_recent_idx
--   employment_type             jobs_type_recent_idx
--   remote                      jobs_remote_recent_idx
--   skills (all / any)          jobs_skill_keys_gin
--   location (contains, ILIKE)  jobs_location_trgm (pg_trgm from 0001)
--   q (full text)               jobs_search_gin
--   poster_id (FK)              jobs_poster_idx

CREATE FUNCTION lower_all(items TEXT[]) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ARRAY(SELECT lower(item) FROM unnest(items) AS item) $$;

CREATE TABLE jobs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id UUID NOT NULL REFERENCES organizations(id),
    poster_id UUID NOT NULL REFERENCES users(id),
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    skills_required TEXT[] NOT NULL DEFAULT '{}',
    attachments JSONB NOT NULL DEFAULT '[]',
    status VARCHAR(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    location VARCHAR(255),
    employment_type VARCHAR(16) NOT NULL DEFAULT 'full_time'
        CHECK (employment_type IN ('internship', 'full_time', 'part_time', 'contract')),
    remote BOOLEAN NOT NULL DEFAULT FALSE,
    salary_min BIGINT CHECK (salary_min IS NULL OR salary_min >= 0),
    salary_max BIGINT CHECK (salary_max IS NULL OR salary_max >= 0),
    salary_currency CHAR(3) CHECK (salary_currency IS NULL OR salary_currency ~ '^[A-Z]{3}$'),
    closed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    search_vector TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    ) STORED,
    CONSTRAINT jobs_attachments_array CHECK (jsonb_typeof(attachments) = 'array'),
    CONSTRAINT jobs_salary_range CHECK (
        salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max
    ),
    CONSTRAINT jobs_salary_currency CHECK (
        (salary_min IS NULL AND salary_max IS NULL) = (salary_currency IS NULL)
    ),
    CONSTRAINT jobs_closed_at_matches_status CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX jobs_status_recent_idx ON jobs (status, created_at DESC, id DESC);
CREATE INDEX jobs_company_recent_idx ON jobs (company_id, status, created_at DESC, id DESC);
CREATE INDEX jobs_type_recent_idx ON jobs (status, employment_type, created_at DESC, id DESC);
CREATE INDEX jobs_remote_recent_idx ON jobs (status, remote, created_at DESC, id DESC);
CREATE INDEX jobs_poster_idx ON jobs (poster_id);
CREATE INDEX jobs_skill_keys_gin ON jobs USING GIN (lower_all(skills_required));
CREATE INDEX jobs_location_trgm ON jobs USING GIN (location gin_trgm_ops);
CREATE INDEX jobs_search_gin ON jobs USING GIN (search_vector);
CREATE TRIGGER jobs_set_updated_at BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
