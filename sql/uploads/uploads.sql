-- Uploads: grants, completion, the references other domains store, and the sweep.

-- name: insert_upload(id, owner_id, purpose, object_key, filename, content_type, size, sha256, expires_at)^
INSERT INTO uploads (id, owner_id, purpose, object_key, filename, content_type, size, sha256,
                     expires_at)
VALUES (:id, :owner_id, :purpose, :object_key, :filename, :content_type, :size, :sha256,
        :expires_at)
RETURNING *;

-- name: count_pending_uploads(owner_id)$
-- Grants a user holds that may still be used or completed (capped per user).
SELECT count(*) FROM uploads
WHERE owner_id = :owner_id AND status = 'pending' AND expires_at > NOW();

-- name: get_upload(upload_id)^
SELECT * FROM uploads WHERE id = :upload_id;

-- name: lock_upload(upload_id)^
-- Completion and the sweep both lock the row, so an upload is never completed and expired
-- at once.
SELECT * FROM uploads WHERE id = :upload_id FOR UPDATE;

-- name: complete_upload(upload_id, object_key, sha256, url)^
UPDATE uploads
SET status = 'complete', object_key = :object_key, sha256 = coalesce(:sha256, sha256),
    url = :url, completed_at = NOW()
WHERE id = :upload_id AND status = 'pending'
RETURNING *;

-- name: fail_upload(upload_id)!
UPDATE uploads SET status = 'failed' WHERE id = :upload_id AND status = 'pending';

-- name: list_uploads_for_owner(owner_id, purpose, status, after_created_at, after_id, limit)
-- My uploads, newest first, keyset-paged on (created_at, id).
SELECT * FROM uploads
WHERE owner_id = :owner_id
  AND (:purpose::VARCHAR IS NULL OR purpose = :purpose)
  AND (:status::VARCHAR IS NULL OR status = :status)
  AND (:after_created_at::TIMESTAMPTZ IS NULL
       OR (created_at, id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY created_at DESC, id DESC
LIMIT :limit;

-- name: get_uploads_by_ids(upload_ids)
-- The uploads a profile, job, gig or organization is about to reference.
SELECT id, owner_id, purpose, content_type, status, url
FROM uploads WHERE id = ANY (:upload_ids::UUID[]);

-- name: claim_abandoned_uploads(limit)
-- Pending uploads past their expiry, locked for the sweep; SKIP LOCKED lets several
-- instances sweep at once without waiting on each other or on a completion in progress.
SELECT id, object_key FROM uploads
WHERE status = 'pending' AND expires_at < NOW()
ORDER BY expires_at
LIMIT :limit
FOR UPDATE SKIP LOCKED;

-- name: expire_uploads(upload_ids)!
UPDATE uploads SET status = 'expired'
WHERE id = ANY (:upload_ids::UUID[]) AND status = 'pending';

-- name: message_attachment_visible_to(url, viewer_id)$
-- Whether the viewer takes part in a conversation where this file was sent.
SELECT EXISTS (
    SELECT 1
    FROM messages m
    JOIN conversation_participants p ON p.conversation_id = m.conversation_id
    WHERE m.attachment_url = :url AND p.user_id = :viewer_id
);

-- name: order_file_visible_to(url, viewer_id)$
-- Whether the viewer is the buyer or the seller of an order whose requirements attachments
-- or one of whose deliveries' files carry this file (issue 16). Both are JSON arrays of
-- {url, filename, content_type, size}; containment (@>) matches the item by its url. The
-- viewer's own orders are found through orders_buyer_idx / orders_seller_idx.
SELECT EXISTS (
    SELECT 1
    FROM orders o
    WHERE (o.buyer_id = :viewer_id OR o.seller_id = :viewer_id)
      AND (o.attachments @> jsonb_build_array(jsonb_build_object('url', :url::TEXT))
           OR EXISTS (
               SELECT 1 FROM order_deliveries d
               WHERE d.order_id = o.id
                 AND d.files @> jsonb_build_array(jsonb_build_object('url', :url::TEXT))))
);
