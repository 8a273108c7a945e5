-- Gigs' stored functions: the current definition of each, in one place (applied by migrate
-- whenever this file changes: see sql/messaging/functions.sql's header and server/db.py).

-- gig_cover_url(): the picture a gig's card shows, the first image of its gallery (NULL when
-- it has none). One definition for every query that returns cards (sql/gigs/gigs.sql). It
-- reads only the row's own gallery, so it runs once per returned card.
CREATE OR REPLACE FUNCTION gig_cover_url(gallery JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT m.item ->> 'url'
    FROM jsonb_array_elements(gallery) WITH ORDINALITY AS m(item, n)
    WHERE m.item ->> 'type' = 'image'
    ORDER BY m.n
    LIMIT 1
$$;
