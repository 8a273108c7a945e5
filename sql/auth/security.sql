-- A signed-in person's own sessions, password and email address (issue 17:
-- server/auth/security.py).

-- name: list_live_sessions(user_id)
-- The sessions list: live ones only, most recently seen first.
SELECT id, user_agent, sign_in_method, created_at, last_seen_at
FROM sessions
WHERE user_id = :user_id AND revoked_at IS NULL AND expires_at > now()
ORDER BY last_seen_at DESC, created_at DESC, id;

-- name: revoke_own_session(user_id, session_id)$
-- Ends one live session of the user; NULL when it is not theirs or already ended.
UPDATE sessions SET revoked_at = now()
WHERE id = :session_id AND user_id = :user_id AND revoked_at IS NULL AND expires_at > now()
RETURNING id;

-- name: revoke_other_sessions(user_id, session_id)
-- Ends every live session of the user but the one asking; the ids ended (an expired one
-- is not counted: it was not in the list the person saw).
UPDATE sessions SET revoked_at = now()
WHERE user_id = :user_id AND id <> :session_id AND revoked_at IS NULL AND expires_at > now()
RETURNING id;

-- name: lock_user_credentials(user_id)^
-- The user's address and password hash, locked while a change to either is decided.
SELECT id, email, password_hash FROM users WHERE id = :user_id FOR UPDATE;

-- name: email_taken(email)$
SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:email));

-- name: insert_email_change_token(user_id, token_hash, new_email, expires_at)!
INSERT INTO email_tokens (user_id, purpose, token_hash, new_email, expires_at)
VALUES (:user_id, 'change_email', :token_hash, :new_email, :expires_at);

-- name: get_pending_email_change(user_id)^
SELECT new_email, created_at, expires_at
FROM email_tokens
WHERE user_id = :user_id AND purpose = 'change_email' AND used_at IS NULL
  AND expires_at > now()
ORDER BY created_at DESC
LIMIT 1;

-- name: cancel_email_change(user_id)
-- Retires the user's unconfirmed email changes; the rows retired (none: nothing pending).
UPDATE email_tokens SET used_at = now()
WHERE user_id = :user_id AND purpose = 'change_email' AND used_at IS NULL
  AND expires_at > now()
RETURNING id;

-- name: consume_email_change_token(token_hash)^
-- Marks a live email-change token used: its user and the address they asked for.
UPDATE email_tokens SET used_at = now()
WHERE token_hash = :token_hash AND purpose = 'change_email'
  AND used_at IS NULL AND expires_at > now()
RETURNING user_id, new_email;

-- name: set_user_email(user_id, email)^
-- The address is the one the confirmation mail reached: it is verified.
UPDATE users SET email = :email, is_verified = TRUE
WHERE id = :user_id AND deleted_at IS NULL
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: user_has_password(user_id)$
-- Whether changing the password or email asks for the current password.
SELECT password_hash IS NOT NULL FROM users WHERE id = :user_id;
