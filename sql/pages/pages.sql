-- Web pages: the little the page shell needs beyond what the domain services return.

-- name: get_viewer(user_id)^
-- The logged-in user's email and display name, for the navigation bar.
SELECT u.email, p.full_name
FROM users u
LEFT JOIN profiles p ON p.user_id = u.id
WHERE u.id = :user_id;

-- name: get_latest_enrichment(user_id)^
-- The newest resume enrichment of a user, for the status line of their profile editor.
SELECT id, status, error, result, created_at, finished_at
FROM enrichment_jobs
WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT 1;

-- name: get_display_name(user_id)$
-- A person's public name (never their email), for "by …" lines.
SELECT full_name FROM profiles WHERE user_id = :user_id;
