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

-- name: list_gigs(skills_all, skills_any, freelancer_id, after_created_at, after_id, limit)
-- Active gigs, newest first, keyset-paginated on (created_at, id). At most one of
-- skills_all (@>) and skills_any (&&) is set; both use the GIN index on skills. Each comes
-- with what its card shows: the cover (the gallery's first image) and the seller's name
-- and photo.
SELECT g.id, g.freelancer_id, g.title, g.description, g.skills, g.pricing_tiers,
       g.media_gallery, g.status, g.created_at, g.updated_at,
       gig_cover_url(g.media_gallery) AS cover_url,
       p.full_name AS seller_name, p.avatar_url AS seller_avatar_url
FROM gigs g
LEFT JOIN profiles p ON p.user_id = g.freelancer_id
WHERE g.status = 'active'
  AND (:skills_all::TEXT[] IS NULL OR g.skills @> :skills_all::TEXT[])
  AND (:skills_any::TEXT[] IS NULL OR g.skills && :skills_any::TEXT[])
  AND (:freelancer_id::UUID IS NULL OR g.freelancer_id = :freelancer_id::UUID)
  AND (:after_id::UUID IS NULL
       OR (g.created_at, g.id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY g.created_at DESC, g.id DESC
LIMIT :limit;

-- name: search_gigs(q, skills_all, skills_any, freelancer_id, after_rank, after_id, limit)
-- Active gigs matching a web-search style query against the weighted search_vector, best
-- first (ts_rank, then id), keyset-paginated on (rank, id). The cursor's rank is compared as
-- float8: the real it came from converts exactly, and a hand-made value cannot overflow.
-- Each comes with its card's cover and seller (as in list_gigs): profiles joined by primary
-- key, the cover read from the row's own gallery.
SELECT ranked.*,
       gig_cover_url(ranked.media_gallery) AS cover_url,
       p.full_name AS seller_name, p.avatar_url AS seller_avatar_url
FROM (
    SELECT id, freelancer_id, title, description, skills, pricing_tiers, media_gallery, status,
           created_at, updated_at,
           ts_rank(search_vector, websearch_to_tsquery('english', :q::TEXT)) AS rank
    FROM gigs
    WHERE status = 'active'
      AND search_vector @@ websearch_to_tsquery('english', :q::TEXT)
      AND (:skills_all::TEXT[] IS NULL OR skills @> :skills_all::TEXT[])
      AND (:skills_any::TEXT[] IS NULL OR skills && :skills_any::TEXT[])
      AND (:freelancer_id::UUID IS NULL OR freelancer_id = :freelancer_id::UUID)
) AS ranked
LEFT JOIN profiles p ON p.user_id = ranked.freelancer_id
WHERE :after_id::UUID IS NULL
   OR (ranked.rank::FLOAT8, ranked.id) < (:after_rank::FLOAT8, :after_id::UUID)
ORDER BY ranked.rank DESC, ranked.id DESC
LIMIT :limit;

-- name: list_gigs_of_freelancer(freelancer_id, limit)
-- A freelancer's own gigs, paused ones too, newest first, as cards (see list_gigs).
SELECT g.id, g.freelancer_id, g.title, g.description, g.skills, g.pricing_tiers,
       g.media_gallery, g.status, g.created_at, g.updated_at,
       gig_cover_url(g.media_gallery) AS cover_url,
       p.full_name AS seller_name, p.avatar_url AS seller_avatar_url
FROM gigs g
LEFT JOIN profiles p ON p.user_id = g.freelancer_id
WHERE g.freelancer_id = :freelancer_id
ORDER BY g.created_at DESC, g.id DESC
LIMIT :limit;
