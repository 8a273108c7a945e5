-- Gigs (design document, table 6).
--
-- Added beyond the design document, and why:
-- * status (active/paused): a freelancer can pause a gig without deleting it; paused gigs
--   are hidden from everyone but their freelancer.
-- * skills defaults to {} and media_gallery to [] so readers and filters never meet NULL
--   (NULL @> ARRAY['x'] is NULL, which would silently drop the row from every skill filter).
-- * checks that pricing_tiers is an object with a basic tier and media_gallery an array; the
--   tier fields themselves (price, currency, delivery_days) are validated by the API
--   (server/gigs/schemas.py), which is the only writer.
-- * search_vector: a stored, weighted tsvector (title A, description B) with a GIN index,
--   so full-text search ranks title hits above description hits.
-- * a GIN index on skills for the skill filters (@> all, && any); an index on freelancer_id
--   (the foreign key, and "this freelancer's gigs", newest first).
-- * (status, created_at, id) for the keyset-paginated newest-first list.
-- * created_at / updated_at with the shared trigger.

CREATE TABLE gigs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    freelancer_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    skills TEXT[] NOT NULL DEFAULT '{}',
    pricing_tiers JSONB NOT NULL,
    media_gallery JSONB NOT NULL DEFAULT '[]'::jsonb,
    status VARCHAR(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    search_vector TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    ) STORED,
    CONSTRAINT gigs_pricing_tiers_shape CHECK (
        jsonb_typeof(pricing_tiers) = 'object' AND pricing_tiers ? 'basic'
    ),
    CONSTRAINT gigs_media_gallery_array CHECK (jsonb_typeof(media_gallery) = 'array')
);
CREATE INDEX gigs_freelancer_idx ON gigs (freelancer_id, created_at DESC, id DESC);
CREATE INDEX gigs_status_created_idx ON gigs (status, created_at DESC, id DESC);
CREATE INDEX gigs_skills_gin ON gigs USING GIN (skills);
CREATE INDEX gigs_search_gin ON gigs USING GIN (search_vector);
CREATE TRIGGER gigs_set_updated_at BEFORE UPDATE ON gigs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
