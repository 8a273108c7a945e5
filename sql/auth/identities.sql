-- Sign-in with identity providers (issue 17): flows in progress and linked identities.

-- name: insert_oidc_login(state_hash, provider, intent, user_id, session_id, browser_hash, nonce, code_verifier, return_to, expires_at)!
INSERT INTO oidc_logins (state_hash, provider, intent, user_id, session_id, browser_hash,
                         nonce, code_verifier, return_to, expires_at)
VALUES (:state_hash, :provider, :intent, :user_id, :session_id, :browser_hash,
        :nonce, :code_verifier, :return_to, :expires_at);

-- name: consume_oidc_login(state_hash, provider, browser_hash)^
-- Marks a live flow used and returns it; nothing when the state is unknown, used, expired,
-- for another provider or started in another browser (which then may still finish it).
UPDATE oidc_logins SET used_at = now()
WHERE state_hash = :state_hash AND provider = :provider AND browser_hash = :browser_hash
  AND used_at IS NULL AND expires_at > now()
RETURNING provider, intent, user_id, session_id, nonce, code_verifier, return_to;

-- name: delete_stale_oidc_logins()!
-- Flows past their time are of no use to anyone: dropped whenever a new one starts.
DELETE FROM oidc_logins WHERE expires_at < now() - interval '1 day';

-- name: get_identity(provider, subject)^
SELECT i.user_id, i.email, i.email_verified
FROM user_identities i JOIN users u ON u.id = i.user_id
WHERE i.provider = :provider AND i.subject = :subject AND u.deleted_at IS NULL;

-- name: insert_identity(user_id, provider, subject, email, email_verified)$
-- Nothing (NULL) when a concurrent sign-in linked the subject, or this user to the
-- provider, a moment ago.
INSERT INTO user_identities (user_id, provider, subject, email, email_verified)
VALUES (:user_id, :provider, :subject, :email, :email_verified)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: touch_identity(provider, subject, email, email_verified)!
-- A sign-in refreshes what the provider last said about the person.
UPDATE user_identities
SET email = :email, email_verified = :email_verified, last_used_at = now()
WHERE provider = :provider AND subject = :subject;

-- name: get_user_identity(user_id, provider)^
SELECT subject FROM user_identities WHERE user_id = :user_id AND provider = :provider;

-- name: list_user_identities(user_id)
SELECT provider, email, email_verified, created_at, last_used_at
FROM user_identities WHERE user_id = :user_id ORDER BY created_at, provider;

-- name: delete_user_identity(user_id, provider)!
DELETE FROM user_identities WHERE user_id = :user_id AND provider = :provider;

-- name: get_user_sign_in_ways(user_id)^
SELECT u.password_hash IS NOT NULL AS has_password,
       (SELECT count(*) FROM user_identities i WHERE i.user_id = u.id) AS identities
FROM users u WHERE u.id = :user_id;

-- name: lock_user_sign_in_ways(user_id)^
-- Whether the account has a password and how many identities, with the user row locked so
-- two unlinks cannot both think the other way is still there.
SELECT u.password_hash IS NOT NULL AS has_password,
       (SELECT count(*) FROM user_identities i WHERE i.user_id = u.id) AS identities
FROM users u WHERE u.id = :user_id FOR UPDATE;

-- name: get_user_by_email(email)^
SELECT id, email, roles, is_verified, created_at, updated_at
FROM users WHERE lower(email) = lower(:email) AND deleted_at IS NULL;

-- name: get_user(user_id)^
SELECT id, email, roles, is_verified, created_at, updated_at
FROM users WHERE id = :user_id AND deleted_at IS NULL;

-- name: insert_identity_user(email, is_verified)^
-- A person new to RizeOS who signed in with a provider: no password, no roles until they
-- choose them (the role-choice page).
INSERT INTO users (email, password_hash, roles, is_verified)
VALUES (:email, NULL, '{}', :is_verified)
ON CONFLICT DO NOTHING
RETURNING id, email, roles, is_verified, created_at, updated_at;

-- name: set_first_roles(user_id, roles)^
UPDATE users SET roles = :roles
WHERE id = :user_id AND roles = '{}'
RETURNING id, email, roles, is_verified, created_at, updated_at;
