-- Saved jobs and job alerts (issue 15, items 2 and 3; docs/job-alerts.md).
--
-- Tables beyond the design document, and why:
-- * saved_jobs: a candidate's bookmarks, one row per (user, job). The "Saved" list pages on
--   (saved_at DESC, job_id DESC) per user: saved_jobs_user_recent_idx. A job is never
--   deleted today, but the foreign keys cascade so a removed user or job leaves nothing.
--   saved_jobs_job_idx serves the job side of the cascade.
-- * job_alerts: a saved board search (the board's JobSearchQuery fields: q, skills,
--   skills_match, location, employment_type, remote, company_id) with a frequency
--   (instant: a live notification; daily: the user's daily email digest).
--   - location_pattern: the board's ILIKE pattern for `location` (server/db.py like_contains,
--     the user's % and _ taken literally), made once when the alert is saved so matching
--     runs the board's exact predicate.
--   - match_keys: the alert's keys in the inverted index that matching probes, so a new job
--     is checked against the alerts that could match it rather than all of them
--     (job_alert_keys() in sql/job_alerts/functions.sql says which keys; the job's side is
--     job_probe_keys()). job_alerts_match_keys_gin serves `match_keys && <job's keys>`.
--   job_alerts_user_recent_idx: the alerts page (per user, newest first, keyset).
-- * job_alert_matches: (alert, job) recorded once, the primary key making "never the same
--   job twice for one alert" a constraint; the row goes with its alert (ON DELETE CASCADE),
--   so a deleted alert has nothing left to send. user_id is the alert's, copied so the
--   digest reads one user's pending rows from one index (no foreign key of its own: the
--   alert's cascades from users already): job_alert_matches_digest_idx
--   (partial: digest_pending, the daily matches not mailed yet).
-- * users.job_alert_emails: the one-click unsubscribe of the digest email turns this off
--   (as missed_message_emails for missed-message email); creating or editing a daily alert
--   turns it back on, the user asking for emails again.

CREATE TABLE saved_jobs (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    job_id UUID NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    saved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, job_id)
);
CREATE INDEX saved_jobs_user_recent_idx ON saved_jobs (user_id, saved_at DESC, job_id DESC);
CREATE INDEX saved_jobs_job_idx ON saved_jobs (job_id);

CREATE TABLE job_alerts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    q TEXT,
    skills TEXT[] NOT NULL DEFAULT '{}',
    skills_match VARCHAR(3) NOT NULL DEFAULT 'all' CHECK (skills_match IN ('all', 'any')),
    location VARCHAR(255),
    location_pattern TEXT,
    employment_type VARCHAR(16)
        CHECK (employment_type IN ('internship', 'full_time', 'part_time', 'contract')),
    remote BOOLEAN,
    company_id UUID REFERENCES organizations(id) ON DELETE CASCADE,
    frequency VARCHAR(8) NOT NULL CHECK (frequency IN ('instant', 'daily')),
    match_keys TEXT[] NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT job_alerts_location_pattern CHECK ((location IS NULL) = (location_pattern IS NULL))
);
CREATE INDEX job_alerts_match_keys_gin ON job_alerts USING GIN (match_keys);
CREATE INDEX job_alerts_user_recent_idx ON job_alerts (user_id, created_at DESC, id DESC);
CREATE INDEX job_alerts_company_idx ON job_alerts (company_id) WHERE company_id IS NOT NULL;
CREATE TRIGGER job_alerts_set_updated_at BEFORE UPDATE ON job_alerts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE job_alert_matches (
    alert_id UUID NOT NULL REFERENCES job_alerts(id) ON DELETE CASCADE,
    job_id UUID NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    user_id UUID NOT NULL,
    matched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    digest_pending BOOLEAN NOT NULL,
    PRIMARY KEY (alert_id, job_id)
);
CREATE INDEX job_alert_matches_digest_idx ON job_alert_matches (user_id, matched_at, job_id)
    WHERE digest_pending;
CREATE INDEX job_alert_matches_job_idx ON job_alert_matches (job_id);

ALTER TABLE users ADD COLUMN job_alert_emails BOOLEAN NOT NULL DEFAULT TRUE;
