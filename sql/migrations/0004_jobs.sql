-- Jobs (design document, table 5).
--
-- Added beyond the design document, and why:
-- * status (open/closed) and closed_at: a filled job stops taking applications but its
--   history (applications, conversations) stays.
-- * location, employment_type, remote, salary_min/max/currency: the filters a job board
--   needs; salary in minor units (integers, no float money) with a currency code, and a check
--   that the range is ordered.
-- * search_vector: a stored, weighted tsvector (title weight A, description weight B) with a
--   GIN index, so full-text search ranks title hits above description hits.
-- * a GIN index on skills_required for skill filters (@> all, && any).
-- * indexes on every foreign key, and (status, created_at, id) for the keyset-paginated list.
-- * created_at / updated_at with the shared trigger.

CREATE TABLE jobs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id UUID NOT NULL REFERENCES organizations(id),
    poster_id UUID NOT NULL REFERENCES users(id),
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    skills_required TEXT[],
    attachments JSONB,
    status VARCHAR(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    location VARCHAR(255),
    employment_type VARCHAR(16) NOT NULL DEFAULT 'full_time'
        CHECK (employment_type IN ('internship', 'full_time', 'part_time', 'contract')),
    remote BOOLEAN NOT NULL DEFAULT FALSE,
    salary_min BIGINT CHECK (salary_min IS NULL OR salary_min >= 0),
    salary_max BIGINT CHECK (salary_max IS NULL OR salary_max >= 0),
    salary_currency CHAR(3),
    closed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    search_vector TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    ) STORED,
    CONSTRAINT jobs_salary_range CHECK (
        salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max
    ),
    CONSTRAINT jobs_salary_currency CHECK (
        (salary_min IS NULL AND salary_max IS NULL) OR salary_currency IS NOT NULL
    )
);
CREATE INDEX jobs_company_idx ON jobs (company_id, created_at DESC, id DESC);
CREATE INDEX jobs_poster_idx ON jobs (poster_id);
CREATE INDEX jobs_status_created_idx ON jobs (status, created_at DESC, id DESC);
CREATE INDEX jobs_skills_gin ON jobs USING GIN (skills_required);
CREATE INDEX jobs_search_gin ON jobs USING GIN (search_vector);
CREATE TRIGGER jobs_set_updated_at BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
