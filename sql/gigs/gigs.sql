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
-- skills_all (@>) and skills_any (&&) is set; both use the GIN index on skills.
SELECT id, freelancer_id, title, description, skills, pricing_tiers, media_gallery, status,
       created_at, updated_at
FROM gigs
WHERE status = 'active'
  AND (:skills_all::TEXT[] IS NULL OR skills @> :skills_all::TEXT[])
  AND (:skills_any::TEXT[] IS NULL OR skills && :skills_any::TEXT[])
  AND (:freelancer_id::UUID IS NULL OR freelancer_id = :freelancer_id::UUID)
  AND (:after_id::UUID IS NULL
       OR (created_at, id) < (:after_created_at::TIMESTAMPTZ, :after_id::UUID))
ORDER BY created_at DESC, id DESC
LIMIT :limit;

-- name: search_gigs(q, skills_all, skills_any, freelancer_id, after_rank, after_id, limit)
-- Active gigs matching a web-search style query against the weighted search_vector, best
-- first (ts_rank, then id), keyset-paginated on (rank, id). The cursor's rank is compared as
-- float8: the real it came from converts exactly, and a hand-made value cannot overflow.
SELECT *
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
WHERE :after_id::UUID IS NULL OR (rank::FLOAT8, id) < (:after_rank::FLOAT8, :after_id::UUID)
ORDER BY rank DESC, id DESC
LIMIT :limit;
