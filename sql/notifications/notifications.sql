-- name: lock_recipients(user_ids)$
-- Per-user serialisation of notification inserts (a transaction-level advisory lock per
-- recipient, taken in key order so two transactions cannot deadlock): the next id a user
-- gets is allocated only after their previous notification's transaction has ended, so a
-- user's ids commit in increasing order and "everything after the last id I saw" misses
-- nothing. 0x6E74 ("nt") keeps these keys apart from other advisory locks.
SELECT count(pg_advisory_xact_lock(x'6E74'::INT, key))
FROM (
    SELECT DISTINCT hashtext(recipient::TEXT) AS key
    FROM unnest(:user_ids::UUID[]) AS recipient
    ORDER BY key
) AS keys;

-- name: insert_notifications(user_ids, type, payload)
-- One notification per recipient, in the caller's transaction (the change that causes them).
INSERT INTO notifications (user_id, type, payload)
SELECT recipient, :type::VARCHAR, :payload::JSONB
FROM unnest(:user_ids::UUID[]) AS recipient
ORDER BY recipient
RETURNING id, user_id, type, payload, created_at, read_at;

-- name: list_notifications(user_id, unread, after, before, limit)
-- Newest first. `after`: only ids above it (what arrived since); `before`: the keyset cursor.
SELECT id, type, payload, created_at, read_at
FROM notifications
WHERE user_id = :user_id
  AND (:unread::BOOLEAN IS NULL OR (read_at IS NULL) = :unread)
  AND (:after::BIGINT IS NULL OR id > :after)
  AND (:before::BIGINT IS NULL OR id < :before)
ORDER BY id DESC
LIMIT :limit;

-- name: list_notifications_since(user_id, after, limit)
-- Oldest first from a resume cursor: what a reconnecting client missed, in order.
SELECT id, type, payload, created_at, read_at
FROM notifications
WHERE user_id = :user_id AND id > :after
ORDER BY id
LIMIT :limit;

-- name: count_unread_notifications(user_id)$
SELECT count(*) FROM notifications WHERE user_id = :user_id AND read_at IS NULL;

-- name: mark_notification_read(user_id, notification_id)^
-- Monotonic: an already read notification keeps its first read_at. Another user's id
-- matches nothing (the caller then answers 404).
UPDATE notifications
SET read_at = COALESCE(read_at, NOW())
WHERE id = :notification_id AND user_id = :user_id
RETURNING id, type, payload, created_at, read_at;

-- name: mark_notifications_read_up_to(user_id, up_to_id)$
WITH marked AS (
    UPDATE notifications
    SET read_at = NOW()
    WHERE user_id = :user_id AND id <= :up_to_id AND read_at IS NULL
    RETURNING 1
)
SELECT count(*) FROM marked;

-- name: list_active_members_with_roles(organization_id, roles)
-- Who hears of an organization's events: its active members holding one of `roles`.
SELECT DISTINCT user_id
FROM organization_memberships
WHERE organization_id = :organization_id AND status = 'active'
  AND role_in_org = ANY(:roles::VARCHAR[])
ORDER BY user_id;

-- name: get_organization_name(organization_id)$
SELECT name FROM organizations WHERE id = :organization_id;
