-- Data exports (issue 17, docs/privacy.md "Your data export"): the data_exports rows, the
-- jobs that build and expire them, and one query per table for what goes into the ZIP.

-- name: insert_export(user_id)^
-- A new export, unless one is in flight already (data_exports_one_in_flight): then nothing,
-- and the caller reads that one. Two requests at once: the second waits for the first's
-- commit here, then inserts nothing.
INSERT INTO data_exports (user_id)
VALUES (:user_id)
ON CONFLICT (user_id) WHERE status IN ('queued', 'building') DO NOTHING
RETURNING *;

-- name: get_export_in_flight(user_id)^
SELECT * FROM data_exports
WHERE user_id = :user_id AND status IN ('queued', 'building');

-- name: get_latest_export(user_id)^
SELECT * FROM data_exports
WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT 1;

-- name: lock_export(export_id)^
-- The build, its completion and the expiry each lock the row: a job delivered twice, or
-- an expiry racing a download, acts on the row as it is.
SELECT * FROM data_exports WHERE id = :export_id FOR UPDATE;

-- name: start_export(export_id, object_key)^
-- The build begins (again, after a worker died mid-build) under a key of its own.
UPDATE data_exports
SET status = 'building', object_key = :object_key, error = NULL
WHERE id = :export_id AND status IN ('queued', 'building')
RETURNING *;

-- name: finish_export(export_id, object_key, size, ttl_seconds)^
-- Ready, only for the build that owns the key now (a build that lost its key to a later
-- delivery of the job finishes nothing).
UPDATE data_exports
SET status = 'ready', size = :size, ready_at = now(),
    expires_at = now() + make_interval(secs => :ttl_seconds::FLOAT8)
WHERE id = :export_id AND status = 'building' AND object_key = :object_key
RETURNING *;

-- name: fail_export(export_id, error)!
UPDATE data_exports
SET status = 'failed', object_key = NULL, error = :error
WHERE id = :export_id AND status IN ('queued', 'building');

-- name: expire_export(export_id)^
UPDATE data_exports
SET status = 'expired', object_key = NULL
WHERE id = :export_id AND status = 'ready'
RETURNING *;

-- name: schedule_export_expiry(export_id)!
-- `account_export_expire` {export_id}, due when the ready export expires.
WITH job AS (
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)
    SELECT 0, 'account_export_expire',
           convert_to(json_build_object('export_id', id)::TEXT, 'UTF8'), expires_at, 'queued'
    FROM data_exports WHERE id = :export_id AND status = 'ready'
    RETURNING id, entrypoint, priority
)
INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
SELECT id, 'queued', entrypoint, priority FROM job;

-- What the ZIP holds: the person's own rows, never a password hash or a token hash.

-- name: export_account(user_id)
SELECT id, email, roles, is_verified, (password_hash IS NOT NULL) AS has_password,
       missed_message_emails, job_alert_emails, created_at, updated_at
FROM users WHERE id = :user_id;

-- name: export_profile(user_id)
-- With its items (skills, experience, education, portfolio), not the derived match columns.
SELECT user_id, full_name, headline, bio, resume_url, avatar_url, skills, experience,
       education, portfolio, created_at, updated_at
FROM profiles WHERE user_id = :user_id;

-- name: export_memberships(user_id)
SELECT m.id, m.organization_id, o.name AS organization_name, o.type AS organization_type,
       m.role_in_org, m.status, m.start_date, m.end_date, m.invited_by, m.created_at,
       m.updated_at
FROM organization_memberships m
JOIN organizations o ON o.id = m.organization_id
WHERE m.user_id = :user_id
ORDER BY m.created_at, m.id;

-- name: export_applications(user_id)
SELECT a.id, a.job_id, j.title AS job_title, o.name AS company_name, a.status,
       a.cover_letter, a.resume_url, a.resume_filename, a.resume_uploaded_at,
       a.submitted_at, a.status_changed_at, a.created_at, a.updated_at
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
JOIN organizations o ON o.id = j.company_id
WHERE a.candidate_id = :user_id
ORDER BY a.submitted_at, a.id;

-- name: export_saved_jobs(user_id)
SELECT s.job_id, j.title AS job_title, s.saved_at
FROM saved_jobs s
JOIN jobs j ON j.id = s.job_id
WHERE s.user_id = :user_id
ORDER BY s.saved_at, s.job_id;

-- name: export_job_alerts(user_id)
SELECT id, q, skills, skills_match, location, employment_type, remote, company_id,
       frequency, created_at, updated_at
FROM job_alerts WHERE user_id = :user_id
ORDER BY created_at, id;

-- name: export_gigs(user_id)
SELECT id, title, description, skills, pricing_tiers, media_gallery, status, created_at,
       updated_at
FROM gigs WHERE freelancer_id = :user_id
ORDER BY created_at, id;

-- name: export_orders(user_id)
-- As buyer and as seller (the role says which).
SELECT CASE WHEN buyer_id = :user_id THEN 'buyer' ELSE 'seller' END AS role,
       id, gig_id, buyer_id, seller_id, status, gig_title, tier, tier_description, price,
       currency, delivery_days, revisions_allowed, revisions_used, requirements, attachments,
       conversation_id, due_at, accepted_at, delivered_at, completed_at, auto_completed,
       closed_at, closed_by, close_reason, created_at, updated_at
FROM orders WHERE buyer_id = :user_id OR seller_id = :user_id
ORDER BY created_at, id;

-- name: export_order_deliveries(user_id)
SELECT d.id, d.order_id, d.number, d.message, d.files, d.revision_request,
       d.revision_requested_at, d.created_at, d.updated_at
FROM order_deliveries d
JOIN orders o ON o.id = d.order_id
WHERE o.buyer_id = :user_id OR o.seller_id = :user_id
ORDER BY d.created_at, d.id;

-- name: export_reviews(user_id)
-- Written by the person (as buyer) or about them (as seller).
SELECT CASE WHEN buyer_id = :user_id THEN 'written' ELSE 'received' END AS role,
       id, order_id, gig_id, rating, body, reply, replied_at, created_at, updated_at
FROM gig_reviews WHERE buyer_id = :user_id OR seller_id = :user_id
ORDER BY created_at, id;

-- name: export_messages(user_id)
-- The messages they sent, not what others wrote to them.
SELECT id, conversation_id, seq, kind, content, attachment_url, attachment_type, sent_at,
       edited_at, deleted_at
FROM messages WHERE sender_id = :user_id
ORDER BY sent_at, id;

-- name: export_notifications(user_id)
SELECT id, type, payload, created_at, read_at
FROM notifications WHERE user_id = :user_id
ORDER BY id;

-- name: export_sessions(user_id)
SELECT id, user_agent, sign_in_method, created_at, last_seen_at, authenticated_at,
       expires_at, revoked_at
FROM sessions WHERE user_id = :user_id
ORDER BY created_at, id;

-- name: export_identities(user_id)
SELECT provider, subject, email, email_verified, created_at, last_used_at
FROM user_identities WHERE user_id = :user_id
ORDER BY provider;

-- name: export_uploads(user_id)
-- Complete uploads they own: listed in uploads.json, their bytes under files/.
SELECT id, purpose, filename, content_type, size, sha256, url, object_key, created_at,
       completed_at
FROM uploads WHERE owner_id = :user_id AND status = 'complete'
ORDER BY created_at, id;
