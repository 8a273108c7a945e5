-- Web pages: the little the page shell needs beyond what the domain services return.

-- name: get_viewer(user_id)^
-- The logged-in user's email and display name, for the navigation bar.
SELECT u.email, p.full_name
FROM users u
LEFT JOIN profiles p ON p.user_id = u.id
WHERE u.id = :user_id;
