-- Job applications (design document, table 7).
--
-- Added beyond the design document, and why:
-- * status is constrained to the state machine's states (submitted, viewed, shortlisted,
--   interviewing, offered, hired, rejected, withdrawn); transitions are enforced by the service.
-- * cover_letter: the one free-text field an applicant sends with an application.
-- * status_changed_at and updated_at: when the application last moved, for dashboards.
-- * an index on candidate_id ("my applications") and (job_id, submitted_at, id) for the
--   keyset-paginated applicant list; the UNIQUE (job_id, candidate_id) is the "apply once" rule.

CREATE TABLE job_applications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id UUID NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    candidate_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status VARCHAR(50) NOT NULL DEFAULT 'submitted',
    submitted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    cover_letter TEXT,
    status_changed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (job_id, candidate_id),
    CONSTRAINT applications_status_known CHECK (status IN (
        'submitted', 'viewed', 'shortlisted', 'interviewing', 'offered', 'hired',
        'rejected', 'withdrawn'
    ))
);
CREATE INDEX applications_candidate_idx ON job_applications (candidate_id, submitted_at DESC, id DESC);
CREATE INDEX applications_job_idx ON job_applications (job_id, submitted_at DESC, id DESC);
CREATE TRIGGER applications_set_updated_at BEFORE UPDATE ON job_applications
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
