-- Job applications (design document, table 7).
--
-- Added beyond the design document, and why:
-- * status is constrained to the state machine's states (submitted, viewed, shortlisted,
--   interviewing, offered, hired, rejected, withdrawn). Which moves are legal is decided by
--   server/applications/states.py, and every move is a compare-and-set on status, so two
--   concurrent moves cannot skip a step.
-- * cover_letter: the one free-text field an applicant sends with an application.
-- * status_changed_at: when the application last moved, for dashboards and "new since".
-- * created_at / updated_at with the shared trigger.
-- * UNIQUE (job_id, candidate_id) is the design document's "apply once" rule; apply inserts
--   with ON CONFLICT DO NOTHING against it, so two simultaneous clicks make one application.
--
-- Indexes, one per query in sql/applications/applications.sql:
--   a job's applicants, newest first          job_applications_job_recent_idx
--   ... filtered by status (a pipeline column) job_applications_job_status_idx
--   a candidate's applications (+ FK)         job_applications_candidate_recent_idx
--   (a candidate has few applications, so their status filter reads those rows)
-- The unique index also leads with job_id, but cannot give the (submitted_at, id) order.

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
    CONSTRAINT job_applications_status_known CHECK (status IN (
        'submitted', 'viewed', 'shortlisted', 'interviewing', 'offered', 'hired',
        'rejected', 'withdrawn'
    ))
);
CREATE INDEX job_applications_job_recent_idx
    ON job_applications (job_id, submitted_at DESC, id DESC);
CREATE INDEX job_applications_job_status_idx
    ON job_applications (job_id, status, submitted_at DESC, id DESC);
CREATE INDEX job_applications_candidate_recent_idx
    ON job_applications (candidate_id, submitted_at DESC, id DESC);
CREATE TRIGGER job_applications_set_updated_at BEFORE UPDATE ON job_applications
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
