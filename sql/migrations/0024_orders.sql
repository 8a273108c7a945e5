-- Gig orders, deliveries, reviews and the marketplace's card data (issue 16).
--
-- The design document has gigs but nothing a buyer can do with one. Added, and why:
-- * gigs.pricing_tiers: every tier gets `revisions` (how many revision requests an order of
--   that tier allows). Existing tiers get 1, the common default of gig marketplaces; the API
--   (server/gigs/schemas.py) now always writes it.
-- * gigs.from_price, from_currency, from_delivery_days: the "from" offer of a card (the
--   cheapest tier, the faster one on a tie), kept by a trigger from pricing_tiers so the
--   marketplace filters and sorts by price and delivery time through indexes instead of
--   unpacking every gig's JSON per query.
-- * gigs.rating_count, rating_sum and the generated rating_avg: a gig's reviews summarised,
--   kept by a trigger on gig_reviews in the review's own transaction, so cards and the
--   rating sort read one row per gig.
-- * orders: one purchase of one tier of a gig. Price, currency, delivery days, revisions and
--   the tier's description are copied when ordering (a later gig edit, or its deletion, does
--   not change an order: gig_id becomes NULL, gig_title stays). status is the state machine
--   of server/orders/states.py, and `version` counts transitions: every transition is a
--   compare-and-set on (id, version), so two concurrent moves cannot both win. due_at is
--   set when the seller accepts (accepted_at + delivery_days) and moved by a revision
--   request. conversation_id is the order's own conversation (opened with the order).
--   No payment columns: no payment is taken (docs/orders.md).
-- * order_deliveries: each delivery (message and files), numbered 1, 2, ...; a revision
--   request is recorded on the delivery it answers.
-- * order_events: the order's timeline (who did what, from which status to which), shown on
--   the order page; actor_id NULL for the platform (automatic completion).
-- * gig_reviews: one review per completed order by its buyer (1-5 stars, text), one reply by
--   the seller. gig_id is kept NULL when the gig is deleted: the review still counts for the
--   seller's profile.
-- * messages.kind: `system` for the lines the platform posts in an order's conversation on
--   every transition (shown centred, never edited, deleted or reacted to); `text` for
--   everything people write. A constant default: no table rewrite.
-- * conversations.context_type `order` and the upload purpose `order_file` (requirements
--   attachments and delivered files: private to the order's buyer and seller).

UPDATE gigs SET pricing_tiers = (
    SELECT jsonb_object_agg(
        name,
        CASE WHEN jsonb_typeof(tier) = 'object' AND NOT tier ? 'revisions'
             THEN tier || '{"revisions": 1}'::jsonb ELSE tier END)
    FROM jsonb_each(pricing_tiers) AS t(name, tier)
);

CREATE FUNCTION set_gig_offer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    offer JSONB;
BEGIN
    SELECT tier INTO offer
    FROM jsonb_each(NEW.pricing_tiers) AS t(name, tier)
    WHERE jsonb_typeof(tier) = 'object'
    ORDER BY (tier ->> 'price')::BIGINT, (tier ->> 'delivery_days')::INT
    LIMIT 1;
    NEW.from_price := (offer ->> 'price')::BIGINT;
    NEW.from_currency := offer ->> 'currency';
    NEW.from_delivery_days := (offer ->> 'delivery_days')::INT;
    RETURN NEW;
END
$$;

ALTER TABLE gigs
    ADD COLUMN from_price BIGINT,
    ADD COLUMN from_currency CHAR(3),
    ADD COLUMN from_delivery_days INT,
    ADD COLUMN rating_count INT NOT NULL DEFAULT 0,
    ADD COLUMN rating_sum INT NOT NULL DEFAULT 0,
    ADD COLUMN rating_avg NUMERIC(3, 2) GENERATED ALWAYS AS (
        CASE WHEN rating_count > 0 THEN round(rating_sum::NUMERIC / rating_count, 2) END
    ) STORED;
CREATE TRIGGER gigs_set_offer BEFORE INSERT OR UPDATE OF pricing_tiers ON gigs
    FOR EACH ROW EXECUTE FUNCTION set_gig_offer();
UPDATE gigs SET pricing_tiers = pricing_tiers;
ALTER TABLE gigs
    ALTER COLUMN from_price SET NOT NULL,
    ALTER COLUMN from_currency SET NOT NULL,
    ALTER COLUMN from_delivery_days SET NOT NULL,
    ADD CONSTRAINT gigs_rating_counts CHECK (rating_count >= 0 AND rating_sum >= 0);

CREATE TABLE orders (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    gig_id UUID REFERENCES gigs(id) ON DELETE SET NULL,
    buyer_id UUID NOT NULL REFERENCES users(id),
    seller_id UUID NOT NULL REFERENCES users(id),
    status VARCHAR(16) NOT NULL DEFAULT 'requested' CHECK (status IN (
        'requested', 'in_progress', 'delivered', 'in_revision',
        'completed', 'declined', 'cancelled')),
    version INT NOT NULL DEFAULT 0 CHECK (version >= 0),
    gig_title VARCHAR(255) NOT NULL,
    tier VARCHAR(16) NOT NULL CHECK (tier IN ('basic', 'standard', 'premium')),
    tier_description TEXT NOT NULL,
    price BIGINT NOT NULL CHECK (price > 0),
    currency CHAR(3) NOT NULL,
    delivery_days INT NOT NULL CHECK (delivery_days BETWEEN 1 AND 365),
    revisions_allowed INT NOT NULL CHECK (revisions_allowed >= 0),
    revisions_used INT NOT NULL DEFAULT 0,
    requirements TEXT NOT NULL,
    attachments JSONB NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(attachments) = 'array'),
    conversation_id UUID REFERENCES conversations(id) ON DELETE SET NULL,
    due_at TIMESTAMPTZ,
    accepted_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    auto_completed BOOLEAN NOT NULL DEFAULT FALSE,
    closed_at TIMESTAMPTZ,
    closed_by UUID REFERENCES users(id),
    close_reason TEXT,
    status_changed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT orders_not_own_gig CHECK (buyer_id <> seller_id),
    CONSTRAINT orders_revisions_within CHECK (
        revisions_used >= 0 AND revisions_used <= revisions_allowed)
);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at DESC, id DESC);
CREATE INDEX orders_seller_idx ON orders (seller_id, created_at DESC, id DESC);
CREATE INDEX orders_gig_idx ON orders (gig_id);
CREATE INDEX orders_conversation_idx ON orders (conversation_id);
CREATE INDEX orders_closed_by_idx ON orders (closed_by) WHERE closed_by IS NOT NULL;
CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_deliveries (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id UUID NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    number INT NOT NULL CHECK (number > 0),
    message TEXT NOT NULL,
    files JSONB NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(files) = 'array'),
    revision_request TEXT,
    revision_requested_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT order_deliveries_number_unique UNIQUE (order_id, number),
    CONSTRAINT order_deliveries_revision_pair CHECK (
        (revision_request IS NULL) = (revision_requested_at IS NULL))
);
CREATE TRIGGER order_deliveries_set_updated_at BEFORE UPDATE ON order_deliveries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    action VARCHAR(32) NOT NULL,
    actor_id UUID REFERENCES users(id),
    from_status VARCHAR(16),
    to_status VARCHAR(16) NOT NULL,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);
CREATE INDEX order_events_actor_idx ON order_events (actor_id) WHERE actor_id IS NOT NULL;

CREATE TABLE gig_reviews (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id UUID NOT NULL UNIQUE REFERENCES orders(id) ON DELETE CASCADE,
    gig_id UUID REFERENCES gigs(id) ON DELETE SET NULL,
    seller_id UUID NOT NULL REFERENCES users(id),
    buyer_id UUID NOT NULL REFERENCES users(id),
    rating SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body TEXT NOT NULL DEFAULT '',
    reply TEXT,
    replied_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT gig_reviews_reply_pair CHECK ((reply IS NULL) = (replied_at IS NULL))
);
CREATE INDEX gig_reviews_gig_idx ON gig_reviews (gig_id, created_at DESC, id DESC);
CREATE INDEX gig_reviews_seller_idx ON gig_reviews (seller_id, created_at DESC, id DESC);
CREATE INDEX gig_reviews_buyer_idx ON gig_reviews (buyer_id);
CREATE TRIGGER gig_reviews_set_updated_at BEFORE UPDATE ON gig_reviews
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION count_gig_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.gig_id IS NOT NULL THEN
        UPDATE gigs SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.rating
        WHERE id = OLD.gig_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.gig_id IS NOT NULL THEN
        UPDATE gigs SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.rating
        WHERE id = NEW.gig_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER gig_reviews_count AFTER INSERT OR DELETE OR UPDATE OF rating, gig_id
    ON gig_reviews FOR EACH ROW EXECUTE FUNCTION count_gig_review();

ALTER TABLE messages ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'text'
    CONSTRAINT messages_kind_check CHECK (kind IN ('text', 'system'));

ALTER TABLE conversations DROP CONSTRAINT conversations_context_type_check;
ALTER TABLE conversations ADD CONSTRAINT conversations_context_type_check
    CHECK (context_type IN ('application', 'gig', 'organization', 'order'));

ALTER TABLE uploads DROP CONSTRAINT uploads_purpose_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_purpose_check CHECK (purpose IN (
    'resume', 'job_attachment', 'gig_media', 'portfolio', 'org_logo', 'message_attachment',
    'avatar', 'order_file'
));
