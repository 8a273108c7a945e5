-- Gigs: a freelancer's service offerings (workflow 3). Readers never select search_vector.

-- name: insert_gig(freelancer_id, title, description, skills, pricing_tiers, media_gallery)^
INSERT INTO gigs (freelancer_id, title, description, skills, pricing_tiers, media_gallery)
VALUES (:freelancer_id, :title, :description, :skills, :pricing_tiers, :media_gallery)
RETURNING id, freelancer_id, title, description, skills, pricing_tiers, media_gallery, status,
          created_at, updated_at;

-- name: get_gig(gig_id)^
SELECT id, freelancer_id, title, description, skills, pricing_tiers, media_gallery, status,
       created_at, updated_at
FROM gigs WHERE id = :gig_id;

-- name: lock_gig(gig_id)^
-- The owner and visibility of a gig, locked for an update or delete.
SELECT id, freelancer_id, status FROM gigs WHERE id = :gig_id FOR UPDATE;

-- name: update_gig(gig_id, fields, title, description, skills, pricing_tiers, media_gallery, status)^
-- Set only the columns named in `fields`.
UPDATE gigs SET
    title = CASE WHEN 'title' = ANY (:fields::TEXT[]) THEN :title::VARCHAR ELSE title END,
    description = CASE WHEN 'description' = ANY (:fields::TEXT[])
                       THEN :description::TEXT ELSE description END,
    skills = CASE WHEN 'skills' = ANY (:fields::TEXT[]) THEN :skills::TEXT[] ELSE skills END,
    pricing_tiers = CASE WHEN 'pricing_tiers' = ANY (:fields::TEXT[])
                         THEN :pricing_tiers::JSONB ELSE pricing_tiers END,
    media_gallery = CASE WHEN 'media_gallery' = ANY (:fields::TEXT[])
                         THEN :media_gallery::JSONB ELSE media_gallery END,
    status = CASE WHEN 'status' = ANY (:fields::TEXT[]) THEN :status::VARCHAR ELSE status END
WHERE id = :gig_id
RETURNING id, freelancer_id, title, description, skills, pricing_tiers, media_gallery, status,
          created_at, updated_at;

-- name: delete_gig(gig_id)!
DELETE FROM gigs WHERE id = :gig_id;

-- The marketplace (GET /api/gigs, docs/marketplace.md): a page is the keys of its gigs, one
-- query per sort, each walking the index named in it (migrations 0005 and 0027) with every
-- filter applied on the way (plans are custom, server/db.py, so an absent filter's
-- `IS NULL OR` disappears), and then the cards of those keys (list_gig_cards). Every sort
-- ends with the id, so keyset pages never skip or repeat gigs that tie. At most one of
-- skills_all (@>) and skills_any (&&) is set; both can use the GIN index on skills.

-- name: list_gig_keys_newest(skills_all, skills_any, freelancer_id, currency, min_price, max_price, max_delivery_days, min_rating, after_created_at, after_id, limit)
-- Newest first: gigs_status_created_idx (gigs_delivery_idx when max_delivery_days is
-- selective).
SELECT g.id, g.created_at
FROM gigs g
WHERE g.status = 'active'
  AND (:skills_all::TEXT[] IS NULL OR g.skills @> :skills_all::TEXT[])
  AND (:skills_any::TEXT[] IS NULL OR g.skills && :skills_any::TEXT[])
  AND (:freelancer_id::UUID IS NULL OR g.freelancer_id = :freelancer_id::UUID)
  AND (:currency::BPCHAR IS NULL OR g.from_currency = :currency::BPCHAR)
  AND (:min_price::BIGINT IS NULL OR g.from_price >= :min_price::BIGINT)
  AND (:max_price::BIGINT IS NULL OR g.from_price <= :max_price::BIGINT)
  AND (:max_delivery_days::INT IS NULL OR g.from_delivery_days <= :max_delivery_days::INT)
  AND (:min_rating::NUMERIC IS NULL OR COALESCE(g.rating_avg, 0) >= :min_rating::NUMERIC)
  AND (:after_id::UUID IS NULL
       OR (g.created_at, g.id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY g.created_at DESC, g.id DESC
LIMIT :limit;

-- name: list_gig_keys_by_rating(skills_all, skills_any, freelancer_id, currency, min_price, max_price, max_delivery_days, min_rating, after_rating, after_count, after_id, limit)
-- Best average first (an unrated gig counts as 0, so after every rated one), then more
-- reviews, then id: gigs_rating_idx, whose first column min_rating bounds too.
SELECT g.id, COALESCE(g.rating_avg, 0) AS rating, g.rating_count
FROM gigs g
WHERE g.status = 'active'
  AND (:skills_all::TEXT[] IS NULL OR g.skills @> :skills_all::TEXT[])
  AND (:skills_any::TEXT[] IS NULL OR g.skills && :skills_any::TEXT[])
  AND (:freelancer_id::UUID IS NULL OR g.freelancer_id = :freelancer_id::UUID)
  AND (:currency::BPCHAR IS NULL OR g.from_currency = :currency::BPCHAR)
  AND (:min_price::BIGINT IS NULL OR g.from_price >= :min_price::BIGINT)
  AND (:max_price::BIGINT IS NULL OR g.from_price <= :max_price::BIGINT)
  AND (:max_delivery_days::INT IS NULL OR g.from_delivery_days <= :max_delivery_days::INT)
  AND (:min_rating::NUMERIC IS NULL OR COALESCE(g.rating_avg, 0) >= :min_rating::NUMERIC)
  AND (:after_id::UUID IS NULL
       OR (COALESCE(g.rating_avg, 0), g.rating_count, g.id)
          < (:after_rating::NUMERIC, :after_count::INT, :after_id::UUID))
ORDER BY COALESCE(g.rating_avg, 0) DESC, g.rating_count DESC, g.id DESC
LIMIT :limit;

-- name: list_gig_keys_by_price(skills_all, skills_any, freelancer_id, currency, min_price, max_price, max_delivery_days, min_rating, after_price, after_id, limit)
-- Cheapest "from" price first within one currency (the service requires it), then id:
-- gigs_price_idx, which the price range bounds too.
SELECT g.id, g.from_price
FROM gigs g
WHERE g.status = 'active'
  AND (:skills_all::TEXT[] IS NULL OR g.skills @> :skills_all::TEXT[])
  AND (:skills_any::TEXT[] IS NULL OR g.skills && :skills_any::TEXT[])
  AND (:freelancer_id::UUID IS NULL OR g.freelancer_id = :freelancer_id::UUID)
  AND (:currency::BPCHAR IS NULL OR g.from_currency = :currency::BPCHAR)
  AND (:min_price::BIGINT IS NULL OR g.from_price >= :min_price::BIGINT)
  AND (:max_price::BIGINT IS NULL OR g.from_price <= :max_price::BIGINT)
  AND (:max_delivery_days::INT IS NULL OR g.from_delivery_days <= :max_delivery_days::INT)
  AND (:min_rating::NUMERIC IS NULL OR COALESCE(g.rating_avg, 0) >= :min_rating::NUMERIC)
  AND (:after_id::UUID IS NULL
       OR (g.from_price, g.id) > (:after_price::BIGINT, :after_id::UUID))
ORDER BY g.from_price, g.id
LIMIT :limit;

-- name: list_gig_keys_by_relevance(q, skills_all, skills_any, freelancer_id, currency, min_price, max_price, max_delivery_days, min_rating, after_rank, after_id, limit)
-- Gigs matching a web-search style query against the weighted search_vector (its GIN
-- index), best first (ts_rank, then id). The cursor's rank is compared as float8: the real
-- it came from converts exactly, and a hand-made value cannot overflow.
SELECT ranked.id, ranked.rank
FROM (
    SELECT g.id, ts_rank(g.search_vector, websearch_to_tsquery('english', :q::TEXT)) AS rank
    FROM gigs g
    WHERE g.status = 'active'
      AND g.search_vector @@ websearch_to_tsquery('english', :q::TEXT)
      AND (:skills_all::TEXT[] IS NULL OR g.skills @> :skills_all::TEXT[])
      AND (:skills_any::TEXT[] IS NULL OR g.skills && :skills_any::TEXT[])
      AND (:freelancer_id::UUID IS NULL OR g.freelancer_id = :freelancer_id::UUID)
      AND (:currency::BPCHAR IS NULL OR g.from_currency = :currency::BPCHAR)
      AND (:min_price::BIGINT IS NULL OR g.from_price >= :min_price::BIGINT)
      AND (:max_price::BIGINT IS NULL OR g.from_price <= :max_price::BIGINT)
      AND (:max_delivery_days::INT IS NULL OR g.from_delivery_days <= :max_delivery_days::INT)
      AND (:min_rating::NUMERIC IS NULL OR COALESCE(g.rating_avg, 0) >= :min_rating::NUMERIC)
) AS ranked
WHERE :after_id::UUID IS NULL
   OR (ranked.rank::FLOAT8, ranked.id) < (:after_rank::FLOAT8, :after_id::UUID)
ORDER BY ranked.rank DESC, ranked.id DESC
LIMIT :limit;

-- name: list_gig_cards(ids)
-- The cards of the given gigs (in no order: the service keeps its keys' order): the gig,
-- its cover (the gallery's first image), the seller's name and photo (profiles by primary
-- key) and the seller's figures for the badge (seller_stats by primary key).
SELECT g.id, g.freelancer_id, g.title, g.description, g.skills, g.pricing_tiers,
       g.media_gallery, g.status, g.created_at, g.updated_at,
       g.from_price, g.from_currency, g.from_delivery_days, g.rating_avg, g.rating_count,
       gig_cover_url(g.media_gallery) AS cover_url,
       p.full_name AS seller_name, p.avatar_url AS seller_avatar_url,
       COALESCE(s.completed_orders, 0) AS seller_completed_orders,
       COALESCE(s.rating_count, 0) AS seller_rating_count,
       COALESCE(s.rating_sum, 0) AS seller_rating_sum
FROM gigs g
LEFT JOIN profiles p ON p.user_id = g.freelancer_id
LEFT JOIN seller_stats s ON s.user_id = g.freelancer_id
WHERE g.id = ANY (:ids::UUID[]);

-- name: list_gigs_of_freelancer(freelancer_id, limit)
-- A freelancer's own gigs, paused ones too, newest first, as cards (see list_gig_cards).
SELECT g.id, g.freelancer_id, g.title, g.description, g.skills, g.pricing_tiers,
       g.media_gallery, g.status, g.created_at, g.updated_at,
       g.from_price, g.from_currency, g.from_delivery_days, g.rating_avg, g.rating_count,
       gig_cover_url(g.media_gallery) AS cover_url,
       p.full_name AS seller_name, p.avatar_url AS seller_avatar_url,
       COALESCE(s.completed_orders, 0) AS seller_completed_orders,
       COALESCE(s.rating_count, 0) AS seller_rating_count,
       COALESCE(s.rating_sum, 0) AS seller_rating_sum
FROM gigs g
LEFT JOIN profiles p ON p.user_id = g.freelancer_id
LEFT JOIN seller_stats s ON s.user_id = g.freelancer_id
WHERE g.freelancer_id = :freelancer_id
ORDER BY g.created_at DESC, g.id DESC
LIMIT :limit;
