-- Identity: users (design document, table 1), plus what accounts need in practice.
--
-- Added beyond the design document, and why:
-- * set_updated_at(): one trigger function that keeps every table's updated_at honest,
--   so no query has to remember to set it.
-- * pg_trgm: fuzzy, index-backed name search (organization search-as-you-type, workflow 2).
-- * users.email is unique case-insensitively (a unique index on lower(email)), because
--   "Ana@x.io" and "ana@x.io" are one mailbox; the column keeps what the user typed.
-- * users.roles is constrained to the known roles, and indexed with GIN for role filters.
-- * sessions: opaque random tokens, stored only as SHA-256 hashes so a database leak does
--   not leak live sessions; revoked_at makes log-out and password reset take effect at once.
-- * email_tokens: single-use, expiring tokens for email verification and password reset,
--   also stored hashed; used_at makes them single-use.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(255) UNIQUE NOT NULL,
    password_hash VARCHAR(255),
    roles TEXT[] NOT NULL,
    is_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT users_roles_known CHECK (
        roles <@ ARRAY['student', 'professional', 'employer', 'freelancer', 'admin']::TEXT[]
    )
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_roles_gin ON users USING GIN (roles);
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    user_agent VARCHAR(512),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE TRIGGER sessions_set_updated_at BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE email_tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose VARCHAR(32) NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX email_tokens_user_id_idx ON email_tokens (user_id, purpose);
CREATE TRIGGER email_tokens_set_updated_at BEFORE UPDATE ON email_tokens
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
