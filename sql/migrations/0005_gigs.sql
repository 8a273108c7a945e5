-- Gigs (design document, table 6).
--
-- Added beyond the design document, and why:
-- * status (active/paused): a freelancer can pause a gig without deleting it.
-- * search_vector: a stored, weighted tsvector (title A, description B) with a GIN index.
-- * a GIN index on skills; an index on freelancer_id (the foreign key, and "my gigs").
-- * (status, created_at, id) for the keyset-paginated list.
-- * created_at / updated_at with the shared trigger.

CREATE TABLE gigs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    freelancer_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    skills TEXT[],
    pricing_tiers JSONB NOT NULL,
    media_gallery JSONB,
    status VARCHAR(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    search_vector TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    ) STORED
);
CREATE INDEX gigs_freelancer_idx ON gigs (freelancer_id, created_at DESC, id DESC);
CREATE INDEX gigs_status_created_idx ON gigs (status, created_at DESC, id DESC);
CREATE INDEX gigs_skills_gin ON gigs USING GIN (skills);
CREATE INDEX gigs_search_gin ON gigs USING GIN (search_vector);
CREATE TRIGGER gigs_set_updated_at BEFORE UPDATE ON gigs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
