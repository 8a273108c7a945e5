-- Gig orders (docs/orders.md; server/orders/). Every transition is a compare-and-set on
-- (id, version): it moves the order only if nobody moved it since the caller read it, and
-- bumps the version, so of two concurrent moves exactly one wins.

-- name: get_gig_to_order(gig_id)^
-- The gig an order is placed on, with its tiers as stored (JSON: each tier's price,
-- currency, delivery_days, description and revisions). Key-share locked until the order
-- commits: a deletion running meanwhile is waited for (and the gig is then not found, a
-- 404) instead of failing the order's foreign key later (a 500); edits are not blocked.
SELECT id, freelancer_id, title, status, pricing_tiers FROM gigs WHERE id = :gig_id
FOR KEY SHARE;

-- name: list_order_files(upload_ids)
-- What an order shows of each attached or delivered file (the caller checked them first:
-- server/uploads/refs.py).
SELECT id, url, filename, content_type, size
FROM uploads WHERE id = ANY (:upload_ids::UUID[]) AND status = 'complete';

-- name: insert_order(gig_id, buyer_id, seller_id, gig_title, tier, tier_description, price, currency, delivery_days, revisions_allowed, requirements, attachments)$
INSERT INTO orders (gig_id, buyer_id, seller_id, gig_title, tier, tier_description, price,
                    currency, delivery_days, revisions_allowed, requirements, attachments)
VALUES (:gig_id, :buyer_id, :seller_id, :gig_title, :tier, :tier_description, :price,
        :currency, :delivery_days, :revisions_allowed, :requirements, :attachments)
RETURNING id;

-- name: set_order_conversation(order_id, conversation_id)!
UPDATE orders SET conversation_id = :conversation_id WHERE id = :order_id;

-- name: get_order(order_id)^
-- One order with its parties' names and photos (profiles may be missing: LEFT JOIN).
SELECT o.id, o.gig_id, o.gig_title, o.status, o.version, o.buyer_id, o.seller_id,
       CASE WHEN bp.user_id IS NULL THEN 'Deleted user' ELSE bp.full_name END AS buyer_name,
       bp.avatar_url AS buyer_avatar_url,
       CASE WHEN sp.user_id IS NULL THEN 'Deleted user' ELSE sp.full_name END AS seller_name,
       sp.avatar_url AS seller_avatar_url,
       o.tier, o.tier_description, o.price, o.currency, o.delivery_days,
       o.revisions_allowed, o.revisions_used, o.requirements, o.attachments,
       o.conversation_id, o.due_at, o.accepted_at, o.delivered_at, o.completed_at,
       o.auto_completed, o.closed_at, o.closed_by, o.close_reason, o.status_changed_at,
       o.created_at, o.updated_at
FROM orders o
LEFT JOIN profiles bp ON bp.user_id = o.buyer_id
LEFT JOIN profiles sp ON sp.user_id = o.seller_id
WHERE o.id = :order_id;

-- name: lock_order(order_id)^
-- The order's version and status, locked until the job's transaction ends: two deliveries
-- of the same job run one after the other, and the second sees what the first did.
SELECT id, version, status, status_changed_at FROM orders WHERE id = :order_id FOR UPDATE;

-- name: list_buyer_orders(user_id, statuses, after_created_at, after_id, limit)
-- The orders a user placed, newest first, keyset-paged on (created_at, id):
-- orders_buyer_idx.
SELECT o.id, o.gig_id, o.gig_title, o.status, o.version, o.buyer_id, o.seller_id,
       CASE WHEN bp.user_id IS NULL THEN 'Deleted user' ELSE bp.full_name END AS buyer_name,
       bp.avatar_url AS buyer_avatar_url,
       CASE WHEN sp.user_id IS NULL THEN 'Deleted user' ELSE sp.full_name END AS seller_name,
       sp.avatar_url AS seller_avatar_url,
       o.tier, o.tier_description, o.price, o.currency, o.delivery_days,
       o.revisions_allowed, o.revisions_used, o.requirements, o.attachments,
       o.conversation_id, o.due_at, o.accepted_at, o.delivered_at, o.completed_at,
       o.auto_completed, o.closed_at, o.closed_by, o.close_reason, o.status_changed_at,
       o.created_at, o.updated_at
FROM orders o
LEFT JOIN profiles bp ON bp.user_id = o.buyer_id
LEFT JOIN profiles sp ON sp.user_id = o.seller_id
WHERE o.buyer_id = :user_id
  AND (:statuses::TEXT[] IS NULL OR o.status = ANY (:statuses::TEXT[]))
  AND (:after_id::UUID IS NULL
       OR (o.created_at, o.id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY o.created_at DESC, o.id DESC
LIMIT :limit;

-- name: list_seller_orders(user_id, statuses, after_created_at, after_id, limit)
-- The orders a user received on their gigs, newest first: orders_seller_idx.
SELECT o.id, o.gig_id, o.gig_title, o.status, o.version, o.buyer_id, o.seller_id,
       CASE WHEN bp.user_id IS NULL THEN 'Deleted user' ELSE bp.full_name END AS buyer_name,
       bp.avatar_url AS buyer_avatar_url,
       CASE WHEN sp.user_id IS NULL THEN 'Deleted user' ELSE sp.full_name END AS seller_name,
       sp.avatar_url AS seller_avatar_url,
       o.tier, o.tier_description, o.price, o.currency, o.delivery_days,
       o.revisions_allowed, o.revisions_used, o.requirements, o.attachments,
       o.conversation_id, o.due_at, o.accepted_at, o.delivered_at, o.completed_at,
       o.auto_completed, o.closed_at, o.closed_by, o.close_reason, o.status_changed_at,
       o.created_at, o.updated_at
FROM orders o
LEFT JOIN profiles bp ON bp.user_id = o.buyer_id
LEFT JOIN profiles sp ON sp.user_id = o.seller_id
WHERE o.seller_id = :user_id
  AND (:statuses::TEXT[] IS NULL OR o.status = ANY (:statuses::TEXT[]))
  AND (:after_id::UUID IS NULL
       OR (o.created_at, o.id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY o.created_at DESC, o.id DESC
LIMIT :limit;

-- name: list_order_deliveries(order_id)
SELECT id, number, message, files, created_at, revision_request, revision_requested_at
FROM order_deliveries WHERE order_id = :order_id ORDER BY number;

-- name: list_order_events(order_id)
SELECT action, actor_id, from_status, to_status, note, created_at
FROM order_events WHERE order_id = :order_id ORDER BY id;

-- name: insert_order_event(order_id, action, actor_id, from_status, to_status, note)$
-- The moment it was recorded (the database's clock, as every time on an order).
INSERT INTO order_events (order_id, action, actor_id, from_status, to_status, note)
VALUES (:order_id, :action, :actor_id, :from_status, :to_status, :note)
RETURNING created_at;

-- Transitions: each moves the order from the version the caller read, or returns nothing.

-- name: accept_order(order_id, version)^
-- Due delivery_days after the seller accepts.
UPDATE orders SET status = 'in_progress', version = version + 1, status_changed_at = now(),
                  accepted_at = now(), due_at = now() + make_interval(days => delivery_days)
WHERE id = :order_id AND version = :version
RETURNING version;

-- name: close_order(order_id, version, status, closed_by, reason)^
-- Declined by the seller or cancelled by either side: final, with who closed it and why.
UPDATE orders SET status = :status, version = version + 1, status_changed_at = now(),
                  closed_at = now(), closed_by = :closed_by, close_reason = :reason
WHERE id = :order_id AND version = :version
RETURNING version;

-- name: deliver_order(order_id, version)^
UPDATE orders SET status = 'delivered', version = version + 1, status_changed_at = now(),
                  delivered_at = now()
WHERE id = :order_id AND version = :version
RETURNING version;

-- name: insert_order_delivery(order_id, message, files)$
-- Numbered 1, 2, ... per order; the order's compare-and-set serialises deliveries.
INSERT INTO order_deliveries (order_id, number, message, files)
SELECT :order_id, coalesce(max(number), 0) + 1, :message, :files
FROM order_deliveries WHERE order_id = :order_id
RETURNING number;

-- name: request_order_revision(order_id, version)^
-- One more revision used; due again delivery_days from now.
UPDATE orders SET status = 'in_revision', version = version + 1, status_changed_at = now(),
                  revisions_used = revisions_used + 1,
                  due_at = now() + make_interval(days => delivery_days)
WHERE id = :order_id AND version = :version
RETURNING version;

-- name: record_revision_request(order_id, message)!
-- The request answers the latest delivery.
UPDATE order_deliveries SET revision_request = :message, revision_requested_at = now()
WHERE order_id = :order_id
  AND number = (SELECT max(number) FROM order_deliveries WHERE order_id = :order_id);

-- name: complete_order(order_id, version, closed_by)^
-- Completed by the buyer (closed_by), or by the platform (closed_by NULL: auto_completed)
-- after the quiet period.
UPDATE orders SET status = 'completed', version = version + 1, status_changed_at = now(),
                  completed_at = now(), closed_at = now(), closed_by = :closed_by,
                  auto_completed = :closed_by::UUID IS NULL
WHERE id = :order_id AND version = :version
RETURNING version;

-- Durable jobs (server/orders/worker.py): pgqueuer rows queued in the transition's own
-- transaction, due at a time computed from the order row as that transaction wrote it
-- (the database's now(), which pgqueuer compares execute_after with).

-- name: schedule_order_auto_complete(order_id, delay_seconds)!
-- `order_auto_complete` {order_id, version}: delay_seconds after the delivery.
WITH job AS (
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)
    SELECT 0, 'order_auto_complete',
           convert_to(json_build_object('order_id', id, 'version', version)::TEXT, 'UTF8'),
           delivered_at + make_interval(secs => :delay_seconds::FLOAT8), 'queued'
    FROM orders WHERE id = :order_id
    RETURNING id, entrypoint, priority
)
INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
SELECT id, 'queued', entrypoint, priority FROM job;

-- name: schedule_order_due_reminder(order_id, lead_seconds)!
-- `order_due_reminder` {order_id, version}: lead_seconds before the due time, and only
-- when that moment is still ahead. An order due sooner than the lead time (a 1-day tier
-- with the default 24 h) gets no reminder: sent at once, it would tell the seller the due
-- time the moment they accept, which the move's own line and answer already say.
WITH job AS (
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)
    SELECT 0, 'order_due_reminder',
           convert_to(json_build_object('order_id', id, 'version', version)::TEXT, 'UTF8'),
           due_at - make_interval(secs => :lead_seconds::FLOAT8), 'queued'
    FROM orders
    WHERE id = :order_id AND due_at - make_interval(secs => :lead_seconds::FLOAT8) > now()
    RETURNING id, entrypoint, priority
)
INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
SELECT id, 'queued', entrypoint, priority FROM job;

-- name: count_order_reminders_since(order_id, since)$
-- Whether the reminder for the order's current version was already sent (a job delivered
-- twice sends it once): a due-reminder event since its last transition.
SELECT count(*) FROM order_events
WHERE order_id = :order_id AND action = 'due-reminder' AND created_at >= :since;
