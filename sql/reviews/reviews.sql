-- Reviews of completed gig orders (docs/marketplace.md, "Reviews"). Writing a review, or
-- changing its rating, moves the gig's figures (gigs.rating_count/rating_sum, trigger of
-- migration 0024) and the seller's (seller_stats, trigger of migration 0027) in the same
-- transaction.

-- name: get_order_to_review(order_id)^
-- What the review rules and the notification need of an order.
SELECT id, gig_id, gig_title, status, buyer_id, seller_id, due_at
FROM orders WHERE id = :order_id;

-- name: lock_reviewed_gig(gig_id)^
-- The gig of an order being reviewed (or a review being edited), locked before the review
-- row, in the order DELETE /api/gigs/{id} takes them (the gig, then its reviews through the
-- ON DELETE SET NULL): no deadlock with a deletion, and a gig deleted meanwhile is seen as
-- gone (no row) instead of failing the review's foreign key. The lock is the one the rating
-- trigger of migration 0024 takes anyway.
SELECT id FROM gigs WHERE id = :gig_id FOR NO KEY UPDATE;

-- name: insert_review(order_id, gig_id, seller_id, buyer_id, rating, body)^
-- One review per order (gig_reviews.order_id is unique): a second one inserts nothing.
INSERT INTO gig_reviews (order_id, gig_id, seller_id, buyer_id, rating, body)
VALUES (:order_id, :gig_id, :seller_id, :buyer_id, :rating, :body)
ON CONFLICT (order_id) DO NOTHING
RETURNING id;

-- name: get_review_of_order(order_id, edit_days)^
-- An order's review with its buyer's name and photo, and until when it may be edited.
SELECT r.id, r.order_id, r.gig_id, r.rating, r.body AS text, r.reply, r.replied_at,
       r.created_at, r.updated_at,
       r.created_at + make_interval(days => :edit_days::INT) AS editable_until,
       r.buyer_id,
       CASE WHEN p.user_id IS NULL THEN 'Deleted user' ELSE p.full_name END AS buyer_name,
       p.avatar_url AS buyer_avatar_url
FROM gig_reviews r
LEFT JOIN profiles p ON p.user_id = r.buyer_id
WHERE r.order_id = :order_id;

-- name: lock_review_of_order(order_id, edit_days)^
-- The review, locked for an edit or a reply, and whether its edit window is still open
-- (judged by the database's clock, as created_at was set).
SELECT id, reply IS NOT NULL AS replied,
       now() < created_at + make_interval(days => :edit_days::INT) AS editable
FROM gig_reviews WHERE order_id = :order_id
FOR UPDATE;

-- name: update_review(order_id, fields, rating, body)!
-- Set only the columns named in `fields`.
UPDATE gig_reviews SET
    rating = CASE WHEN 'rating' = ANY (:fields::TEXT[]) THEN :rating::SMALLINT ELSE rating END,
    body = CASE WHEN 'text' = ANY (:fields::TEXT[]) THEN :body::TEXT ELSE body END
WHERE order_id = :order_id;

-- name: reply_to_review(order_id, reply)!
UPDATE gig_reviews SET reply = :reply, replied_at = now()
WHERE order_id = :order_id AND reply IS NULL;

-- name: get_gig_rating(gig_id)^
-- A gig's visibility and its reviews' summary (kept by the trigger of migration 0024).
SELECT freelancer_id, status, rating_avg::FLOAT8 AS rating_avg, rating_count
FROM gigs WHERE id = :gig_id;

-- name: list_gig_reviews(gig_id, edit_days, after_created_at, after_id, limit)
-- A gig's reviews, newest first, keyset-paginated on (created_at, id): gig_reviews_gig_idx.
SELECT r.id, r.order_id, r.gig_id, r.rating, r.body AS text, r.reply, r.replied_at,
       r.created_at, r.updated_at,
       r.created_at + make_interval(days => :edit_days::INT) AS editable_until,
       r.buyer_id,
       CASE WHEN p.user_id IS NULL THEN 'Deleted user' ELSE p.full_name END AS buyer_name,
       p.avatar_url AS buyer_avatar_url
FROM gig_reviews r
LEFT JOIN profiles p ON p.user_id = r.buyer_id
WHERE r.gig_id = :gig_id
  AND (:after_id::UUID IS NULL
       OR (r.created_at, r.id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY r.created_at DESC, r.id DESC
LIMIT :limit;

-- name: get_seller_rating(user_id)^
-- A user's rating as a seller, over the reviews of all their orders (seller_stats, kept by
-- the triggers of migration 0027); no row for a user who does not exist.
SELECT u.id,
       CASE WHEN s.rating_count > 0
            THEN round(s.rating_sum::NUMERIC / s.rating_count, 2)::FLOAT8 END AS rating_avg,
       COALESCE(s.rating_count, 0) AS rating_count
FROM users u
LEFT JOIN seller_stats s ON s.user_id = u.id
WHERE u.id = :user_id;
