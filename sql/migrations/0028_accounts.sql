-- Accounts people trust (issue 17): sign-in with identity providers, sessions one can see
-- and end, email change, data export and account deletion.
--
-- Added beyond the design document, and why:
-- * user_identities: the design document's "users who sign up via social OAuth" (their
--   password_hash is NULL). An identity is the provider's stable subject, never its email:
--   a person who changes their address at the provider still finds their account, and an
--   unverified email at a provider can never take over an account. One per provider per
--   user keeps "linked with Google" unambiguous in settings.
-- * oidc_logins: a sign-in in flight (authorization code flow). The state is stored hashed
--   and single-use, bound to the browser that started it (browser_hash, from a cookie), with
--   the nonce and the PKCE verifier the callback must check; a few minutes to live. In the
--   database rather than in one instance's memory, so the callback may land on any instance.
--   intent: sign_in (anyone), link (a signed-in user adds the provider from settings),
--   reauth (a signed-in user proves it is them before deleting the account).
-- * sessions.last_seen_at / sign_in_method / authenticated_at: the sessions list shows when
--   and how each device signed in and was last seen; authenticated_at is when the person
--   last proved who they are in that session (sign-in, password or provider re-auth), which
--   deleting the account requires to be recent.
-- * email_tokens purpose change_email with new_email: an email change takes effect only
--   when the mail sent to the new address is confirmed; until then the old one keeps working.
-- * users.deleted_at: a deleted account leaves a tombstone row with no personal data (its
--   email becomes deleted+<id>@deleted.invalid, no password, no roles), because what others
--   still need keeps pointing at it: messages in their conversations ("deleted user"),
--   orders and reviews, jobs posted for a company. docs/privacy.md lists what is erased.
-- * data_exports: the ZIP of a person's data is built by the job queue; the row says where
--   it stands and which stored object holds it. One in flight per user.

ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;

CREATE TABLE user_identities (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider VARCHAR(64) NOT NULL CHECK (provider ~ '^[a-z0-9_]{1,64}$'),
    subject VARCHAR(255) NOT NULL CHECK (subject <> ''),
    email VARCHAR(255),
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT user_identities_subject_key UNIQUE (provider, subject),
    CONSTRAINT user_identities_one_per_provider UNIQUE (user_id, provider)
);
CREATE TRIGGER user_identities_set_updated_at BEFORE UPDATE ON user_identities
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE oidc_logins (
    state_hash BYTEA PRIMARY KEY,
    provider VARCHAR(64) NOT NULL,
    intent VARCHAR(16) NOT NULL CHECK (intent IN ('sign_in', 'link', 'reauth')),
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    session_id UUID REFERENCES sessions(id) ON DELETE CASCADE,
    browser_hash BYTEA NOT NULL,
    nonce VARCHAR(128) NOT NULL,
    code_verifier VARCHAR(128) NOT NULL,
    return_to VARCHAR(512),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    CONSTRAINT oidc_logins_intent_user CHECK (
        (intent = 'sign_in') = (user_id IS NULL) AND (user_id IS NULL) = (session_id IS NULL)
    )
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

ALTER TABLE sessions
    ADD COLUMN last_seen_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    ADD COLUMN sign_in_method VARCHAR(64) NOT NULL DEFAULT 'password',
    ADD COLUMN authenticated_at TIMESTAMPTZ NOT NULL DEFAULT NOW();
UPDATE sessions SET last_seen_at = updated_at, authenticated_at = created_at;
-- The sessions list: a user's live sessions, most recently seen first.
CREATE INDEX sessions_user_live_idx ON sessions (user_id, last_seen_at DESC)
    WHERE revoked_at IS NULL;

ALTER TABLE email_tokens ADD COLUMN new_email VARCHAR(255);
ALTER TABLE email_tokens DROP CONSTRAINT email_tokens_purpose_check;
ALTER TABLE email_tokens ADD CONSTRAINT email_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'change_email'));
ALTER TABLE email_tokens ADD CONSTRAINT email_tokens_new_email_only_for_change
    CHECK ((purpose = 'change_email') = (new_email IS NOT NULL));

CREATE TABLE data_exports (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status VARCHAR(16) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'building', 'ready', 'failed', 'expired')),
    object_key VARCHAR(255) UNIQUE,
    size BIGINT CHECK (size >= 0),
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    ready_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    CONSTRAINT data_exports_ready_has_object CHECK (
        status <> 'ready' OR (object_key IS NOT NULL AND ready_at IS NOT NULL)
    )
);
CREATE INDEX data_exports_user_idx ON data_exports (user_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX data_exports_one_in_flight ON data_exports (user_id)
    WHERE status IN ('queued', 'building');
CREATE TRIGGER data_exports_set_updated_at BEFORE UPDATE ON data_exports
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
