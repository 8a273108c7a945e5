-- Accounts, sessions and single-use email tokens.

-- name: insert_user(email, password_hash, roles)^
INSERT INTO users (email, password_hash, roles)
VALUES (:email, :password_hash, :roles)
ON CONFLICT DO NOTHING
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: get_account_label(user_id)^
-- The user's email, display name and photo, for the navigation bar of the pages.
SELECT u.email, p.full_name, p.avatar_url
FROM users u
LEFT JOIN profiles p ON p.user_id = u.id
WHERE u.id = :user_id;

-- name: get_user_for_login(email)^
SELECT id, email, password_hash, roles, is_verified, created_at, updated_at
FROM users WHERE lower(email) = lower(:email);

-- name: set_user_verified(user_id)^
UPDATE users SET is_verified = TRUE WHERE id = :user_id
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: set_password_hash(user_id, password_hash)!
UPDATE users SET password_hash = :password_hash WHERE id = :user_id;

-- name: add_user_role(user_id, role)^
UPDATE users SET roles = array_append(roles, :role)
WHERE id = :user_id AND NOT (:role = ANY (roles))
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: remove_user_role(user_id, role)^
UPDATE users SET roles = array_remove(roles, :role)
WHERE id = :user_id
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: lock_user(user_id)^
SELECT id, email, roles, is_verified, created_at, updated_at FROM users WHERE id = :user_id FOR UPDATE;

-- name: lock_live_user(user_id)^
-- The user, share-locked until the caller's transaction commits, if their account is not
-- deleted. What a person creates (an order, an application) takes it first: a deletion in
-- progress holds the account (sql/deletion/deletion.sql lock_user_for_deletion), so a
-- request authenticated just before it commits waits for it and then finds no one, instead
-- of leaving the new row behind a deleted account.
SELECT id FROM users WHERE id = :user_id AND deleted_at IS NULL FOR SHARE;

-- name: upsert_admin(email, password_hash)^
INSERT INTO users (email, password_hash, roles, is_verified)
VALUES (:email, :password_hash, ARRAY['admin']::TEXT[], TRUE)
ON CONFLICT (lower(email)) DO UPDATE
SET roles = CASE WHEN 'admin' = ANY (users.roles) THEN users.roles
                 ELSE array_append(users.roles, 'admin') END,
    is_verified = TRUE,
    password_hash = COALESCE(EXCLUDED.password_hash, users.password_hash)
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: insert_session(user_id, token_hash, user_agent, sign_in_method, expires_at)^
INSERT INTO sessions (user_id, token_hash, user_agent, sign_in_method, expires_at)
VALUES (:user_id, :token_hash, :user_agent, :sign_in_method, :expires_at)
RETURNING id, expires_at;

-- name: get_session_caller(token_hash)^
-- The caller behind a session token, if the session is live: the session and its user
-- (what GET /api/me answers), cached per instance by server/auth/sessions.py.
SELECT s.id AS session_id, s.expires_at, s.last_seen_at, u.id AS user_id, u.email, u.roles,
       u.is_verified, u.created_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = :token_hash AND s.revoked_at IS NULL AND s.expires_at > now();

-- name: mark_session_authenticated(session_id)^
-- The person just proved who they are in this session (password or provider re-auth):
-- deleting the account asks for this to be recent (docs/privacy.md).
UPDATE sessions SET authenticated_at = now()
WHERE id = :session_id AND revoked_at IS NULL
RETURNING authenticated_at;

-- name: get_session_authenticated_at(session_id)$
SELECT authenticated_at FROM sessions WHERE id = :session_id AND revoked_at IS NULL;

-- name: revoke_session(session_id)!
UPDATE sessions SET revoked_at = now() WHERE id = :session_id AND revoked_at IS NULL;

-- name: revoke_user_sessions(user_id)!
UPDATE sessions SET revoked_at = now() WHERE user_id = :user_id AND revoked_at IS NULL;

-- name: insert_email_token(user_id, purpose, token_hash, expires_at)!
INSERT INTO email_tokens (user_id, purpose, token_hash, expires_at)
VALUES (:user_id, :purpose, :token_hash, :expires_at);

-- name: consume_email_token(token_hash, purpose)$
-- Marks a live token used and returns its user; NULL when unknown, used or expired.
UPDATE email_tokens SET used_at = now()
WHERE token_hash = :token_hash AND purpose = :purpose
  AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: expire_user_tokens(user_id, purpose)!
-- Issuing a fresh token retires the older unused ones of the same purpose.
UPDATE email_tokens SET used_at = now()
WHERE user_id = :user_id AND purpose = :purpose AND used_at IS NULL;

-- name: touch_sessions(session_ids)!
-- The sessions were used just now (server/auth/last_seen.py batches these, at most one per
-- session every few minutes). No cache is told (sql/migrations/0030_b_session_last_seen.sql).
UPDATE sessions SET last_seen_at = now()
WHERE id = ANY (:session_ids::uuid[]) AND revoked_at IS NULL;
