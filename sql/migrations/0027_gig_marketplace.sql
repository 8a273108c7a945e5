-- The gig marketplace's sorts and filters, and the sellers' figures (issue 16, part C).
--
-- Added, and why:
-- * seller_stats: per seller, the number of completed orders and the count and sum of the
--   ratings of every review of their orders (also of gigs deleted since), kept by triggers
--   on orders and gig_reviews in the writing transaction. A card's seller badge
--   (server/gigs/badges.py) and GET /api/users/{user_id}/rating then read one row by primary
--   key instead of counting a seller's orders or reviews on every card.
-- * indexes for GET /api/gigs (docs/marketplace.md quotes their plans on 100k gigs), all
--   partial on status = 'active', the only gigs search shows:
--   gigs_rating_idx   sort=rating (best average first, unrated gigs last as 0, then more
--                     reviews first) and min_rating (a range on the same first column);
--   gigs_price_idx    sort=price (cheapest "from" price first within one currency) and the
--                     price range, which needs a currency: prices in different currencies
--                     are not comparable without exchange rates, which RizeOS does not have;
--   gigs_delivery_idx max_delivery_days (a range on gigs.from_delivery_days, newest first
--                     within each day count).
--   sort=newest keeps gigs_status_created_idx, and sort=relevance the full-text GIN index.

CREATE TABLE seller_stats (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    completed_orders INT NOT NULL DEFAULT 0 CHECK (completed_orders >= 0),
    rating_count INT NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
    rating_sum INT NOT NULL DEFAULT 0 CHECK (rating_sum >= 0)
);

CREATE FUNCTION count_seller_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta INT := (NEW.status = 'completed')::INT
        - (TG_OP = 'UPDATE' AND OLD.status = 'completed')::INT;
BEGIN
    IF delta <> 0 THEN
        INSERT INTO seller_stats AS s (user_id, completed_orders) VALUES (NEW.seller_id, delta)
        ON CONFLICT (user_id)
        DO UPDATE SET completed_orders = s.completed_orders + EXCLUDED.completed_orders;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_count_seller AFTER INSERT OR UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION count_seller_order();

CREATE FUNCTION count_seller_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE seller_stats SET rating_count = rating_count - 1,
                                rating_sum = rating_sum - OLD.rating
        WHERE user_id = OLD.seller_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO seller_stats AS s (user_id, rating_count, rating_sum)
        VALUES (NEW.seller_id, 1, NEW.rating)
        ON CONFLICT (user_id) DO UPDATE SET rating_count = s.rating_count + 1,
                                            rating_sum = s.rating_sum + EXCLUDED.rating_sum;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER gig_reviews_count_seller AFTER INSERT OR DELETE OR UPDATE OF rating, seller_id
    ON gig_reviews FOR EACH ROW EXECUTE FUNCTION count_seller_review();

INSERT INTO seller_stats (user_id, completed_orders, rating_count, rating_sum)
SELECT seller_id, sum(completed), sum(reviewed), sum(rating)
FROM (
    SELECT seller_id, 1 AS completed, 0 AS reviewed, 0 AS rating
    FROM orders WHERE status = 'completed'
    UNION ALL
    SELECT seller_id, 0, 1, rating FROM gig_reviews
) AS figures
GROUP BY seller_id;

CREATE INDEX gigs_rating_idx ON gigs (COALESCE(rating_avg, 0) DESC, rating_count DESC, id DESC)
    WHERE status = 'active';
CREATE INDEX gigs_price_idx ON gigs (from_currency, from_price, id) WHERE status = 'active';
CREATE INDEX gigs_delivery_idx ON gigs (from_delivery_days, created_at DESC, id DESC)
    WHERE status = 'active';
