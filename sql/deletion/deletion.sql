-- Account deletion (issue 17): refusals first, then the erase, in one transaction
-- (server/deletion/service.py). docs/privacy.md, "Deleting your account", lists what is
-- erased and what stays.

-- name: get_account_for_deletion(user_id)^
-- The account as the refusals need it (read before the transaction: checking a password
-- takes tens of milliseconds and holds no lock).
SELECT id, email, password_hash, deleted_at FROM users WHERE id = :user_id;

-- name: lock_user_for_deletion(user_id)^
-- The account about to be erased, locked: two deletions (two tabs) serialise here and the
-- second finds it already deleted. NO KEY UPDATE (what the tombstone's UPDATE takes, its id
-- unchanged), not UPDATE: a foreign-key check on the user (an order placed on their gig,
-- which holds that gig) is not blocked, so it cannot wait on this while this waits on the
-- gig (lock_user_gigs): a deadlock, one of the two rolled back.
SELECT id, email, password_hash, deleted_at FROM users WHERE id = :user_id FOR NO KEY UPDATE;

-- name: lock_user_organizations(user_id)
-- Every organization the user is an active member of, locked as membership changes lock
-- them (sql/orgs/orgs.sql lock_organization), so "another admin remains" cannot change
-- under the check below. Ordered by id so concurrent lockers never deadlock.
SELECT o.id
FROM organizations o
WHERE o.id IN (SELECT organization_id FROM organization_memberships
               WHERE user_id = :user_id AND status = 'active')
ORDER BY o.id
FOR NO KEY UPDATE OF o;

-- name: list_last_admin_organizations(user_id)
-- The organizations the user is the only active admin of: they must hand over first.
SELECT o.id, o.name
FROM organizations o
JOIN organization_memberships m
  ON m.organization_id = o.id AND m.user_id = :user_id
 AND m.role_in_org = 'admin' AND m.status = 'active'
WHERE NOT EXISTS (
    SELECT 1 FROM organization_memberships other
    WHERE other.organization_id = o.id AND other.role_in_org = 'admin'
      AND other.status = 'active' AND other.user_id <> :user_id)
ORDER BY o.name, o.id;

-- name: lock_user_gigs(user_id)
-- The user's gigs, locked before open orders are counted: placing an order references its
-- gig (a key-share lock), so an order placed meanwhile is either committed and counted, or
-- waits and then finds its gig gone.
SELECT id FROM gigs WHERE freelancer_id = :user_id ORDER BY id FOR UPDATE;

-- name: list_open_orders(user_id, statuses)
-- Orders the user is buyer or seller of that are not finished (server/orders/states.py
-- ACTIVE): the other party still needs them.
SELECT id, gig_title, status, buyer_id = :user_id AS as_buyer
FROM orders
WHERE (buyer_id = :user_id OR seller_id = :user_id)
  AND status = ANY (:statuses::TEXT[])
ORDER BY created_at, id;

-- name: delete_user_uploads(user_id)
-- The user's uploads, except the files something that outlives them uses and belongs to
-- others: an organization's logo, a kept job's attachments, an order's requirement and
-- delivery files (the order is kept for the other party). Returns the objects to delete.
DELETE FROM uploads u
WHERE u.owner_id = :user_id
  AND NOT (u.status = 'complete' AND (
      (u.purpose = 'org_logo'
       AND EXISTS (SELECT 1 FROM organizations o WHERE o.logo_url = u.url))
   OR (u.purpose = 'job_attachment'
       AND EXISTS (SELECT 1 FROM jobs j
                   WHERE j.attachments @> jsonb_build_array(jsonb_build_object('url', u.url))))
   OR (u.purpose = 'order_file'
       AND EXISTS (SELECT 1 FROM orders o
                   WHERE (o.buyer_id = :user_id OR o.seller_id = :user_id)
                     AND (o.attachments @> jsonb_build_array(jsonb_build_object('url', u.url))
                          OR EXISTS (
                              SELECT 1 FROM order_deliveries d
                              WHERE d.order_id = o.id
                                AND d.files @> jsonb_build_array(
                                    jsonb_build_object('url', u.url))))))))
RETURNING u.object_key;

-- name: delete_user_exports(user_id)
-- The user's data exports; the stored ZIPs among them are returned for deletion.
DELETE FROM data_exports WHERE user_id = :user_id
RETURNING object_key;

-- name: erase_personal_rows(user_id)^
-- Everything personal that is not kept, in one statement; how many rows of each went.
-- Kept: messages (and their edits and reactions) in conversations, conversation
-- participation (so those messages still have a sender: "Deleted user"), orders and their
-- events, reviews, jobs posted for a company, notes written on applicants.
WITH sessions_gone AS (DELETE FROM sessions WHERE user_id = :user_id RETURNING 1),
     identities_gone AS (DELETE FROM user_identities WHERE user_id = :user_id RETURNING 1),
     logins_gone AS (DELETE FROM oidc_logins WHERE user_id = :user_id RETURNING 1),
     tokens_gone AS (DELETE FROM email_tokens WHERE user_id = :user_id RETURNING 1),
     profile_gone AS (DELETE FROM profiles WHERE user_id = :user_id RETURNING 1),
     skill_sources_gone AS (
         DELETE FROM profile_skill_sources WHERE user_id = :user_id RETURNING 1),
     enrichments_gone AS (DELETE FROM enrichment_jobs WHERE user_id = :user_id RETURNING 1),
     alerts_gone AS (DELETE FROM job_alerts WHERE user_id = :user_id RETURNING 1),
     saved_gone AS (DELETE FROM saved_jobs WHERE user_id = :user_id RETURNING 1),
     notifications_gone AS (DELETE FROM notifications WHERE user_id = :user_id RETURNING 1),
     memberships_gone AS (
         DELETE FROM organization_memberships WHERE user_id = :user_id RETURNING 1),
     applications_gone AS (
         DELETE FROM job_applications WHERE candidate_id = :user_id RETURNING 1),
     visits_gone AS (DELETE FROM job_applicant_visits WHERE user_id = :user_id RETURNING 1),
     gigs_gone AS (DELETE FROM gigs WHERE freelancer_id = :user_id RETURNING 1),
     stats_gone AS (DELETE FROM seller_stats WHERE user_id = :user_id RETURNING 1)
SELECT (SELECT count(*) FROM sessions_gone) AS sessions,
       (SELECT count(*) FROM identities_gone) AS identities,
       (SELECT count(*) FROM logins_gone) AS oidc_logins,
       (SELECT count(*) FROM tokens_gone) AS email_tokens,
       (SELECT count(*) FROM profile_gone) AS profiles,
       (SELECT count(*) FROM skill_sources_gone) AS profile_skill_sources,
       (SELECT count(*) FROM enrichments_gone) AS enrichment_jobs,
       (SELECT count(*) FROM alerts_gone) AS job_alerts,
       (SELECT count(*) FROM saved_gone) AS saved_jobs,
       (SELECT count(*) FROM notifications_gone) AS notifications,
       (SELECT count(*) FROM memberships_gone) AS memberships,
       (SELECT count(*) FROM applications_gone) AS applications,
       (SELECT count(*) FROM visits_gone) AS applicant_visits,
       (SELECT count(*) FROM gigs_gone) AS gigs,
       (SELECT count(*) FROM stats_gone) AS seller_stats;

-- name: tombstone_user(user_id)^
-- What stays of the account: its id (messages, orders, reviews and jobs point at it) and
-- when it was deleted; no address, password, roles or settings.
UPDATE users
SET email = 'deleted+' || id::TEXT || '@deleted.invalid',
    password_hash = NULL,
    roles = '{}',
    is_verified = FALSE,
    missed_message_emails = FALSE,
    job_alert_emails = FALSE,
    deleted_at = now()
WHERE id = :user_id AND deleted_at IS NULL
RETURNING id, email, deleted_at;

-- name: list_identity_providers(user_id)
-- The identity providers linked to the account: a password-less one re-authenticates there.
SELECT provider FROM user_identities WHERE user_id = :user_id ORDER BY provider;
