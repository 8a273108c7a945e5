-- Profiles: one per user, created empty at sign-up.

-- name: insert_empty_profile(user_id, full_name)!
INSERT INTO profiles (user_id, full_name) VALUES (:user_id, :full_name);

-- name: ensure_profile(user_id)!
INSERT INTO profiles (user_id) VALUES (:user_id) ON CONFLICT (user_id) DO NOTHING;
