"""The marketplace (docs/marketplace.md): tiers' revisions, the rating sort and filter kept
right by the review triggers, the price sort and range within one currency, the delivery
filter, keyset pages across ties for every sort, the seller badge, and every refusal."""

from __future__ import annotations

import base64
import json

import pytest

from server.gigs.badges import seller_badge
from tests.gigs.conftest import gig_body
from tests.gigs.test_gig_search import _walk

ZERO = "00000000-0000-0000-0000-000000000000"


def priced(price: int, currency: str = "USD", days: int = 7, revisions: int | None = None):
    """Pricing tiers of one basic tier."""
    basic = {"price": price, "currency": currency, "delivery_days": days, "description": "It"}
    if revisions is not None:
        basic["revisions"] = revisions
    return {"basic": basic}


async def complete_order(db, gig: dict, buyer, rating: int | None = None) -> str:
    """A completed order of `gig` by `buyer` (and its review when `rating` is given), written
    as the orders and reviews services write them, for tests of what reads them."""
    async with db.connection() as conn:
        order_id = await conn.fetchval(
            "INSERT INTO orders (gig_id, buyer_id, seller_id, status, gig_title, tier,"
            " tier_description, price, currency, delivery_days, revisions_allowed,"
            " requirements, completed_at)"
            " VALUES ($1, $2, $3, 'completed', $4, 'basic', 'It', 100, 'USD', 1, 1, 'x', now())"
            " RETURNING id::text",
            gig["id"],
            buyer.id,
            gig["freelancer_id"],
            gig["title"],
        )
        if rating is not None:
            await conn.execute(
                "INSERT INTO gig_reviews (order_id, gig_id, seller_id, buyer_id, rating)"
                " VALUES ($1, $2, $3, $4, $5)",
                order_id,
                gig["id"],
                gig["freelancer_id"],
                buyer.id,
                rating,
            )
    return order_id


async def stored_figures(db, gig_id: str) -> tuple:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT g.rating_count, g.rating_sum, g.rating_avg::float8 AS avg,"
            " s.completed_orders, s.rating_count AS seller_count, s.rating_sum AS seller_sum"
            " FROM gigs g LEFT JOIN seller_stats s ON s.user_id = g.freelancer_id"
            " WHERE g.id = $1",
            gig_id,
        )
    return tuple(row)


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def test_tiers_carry_revisions_default_one_and_bounded(api, freelancer, make_gig, gig_count):
    tiers = priced(5000, revisions=0)
    tiers["standard"] = {**priced(9000)["basic"], "revisions": 10}
    tiers["premium"] = priced(9900)["basic"]  # says nothing: 1
    gig = await make_gig(freelancer, pricing_tiers=tiers)
    assert [gig["pricing_tiers"][n]["revisions"] for n in ("basic", "standard", "premium")] == [
        0,
        10,
        1,
    ]
    for bad in (11, -1, "2"):
        body = gig_body(pricing_tiers=priced(5000, revisions=bad))
        problem = await api.post("/api/gigs", body, as_=freelancer, expect=422)
        assert problem["errors"][0]["field"] == "body.pricing_tiers.basic.revisions"
    changed = await api.patch(
        f"/api/gigs/{gig['id']}", {"pricing_tiers": priced(5000, revisions=3)}, as_=freelancer
    )
    assert changed["pricing_tiers"]["basic"]["revisions"] == 3
    assert await gig_count() == 1


async def test_rating_sort_pages_through_ties_and_the_triggers_keep_the_figures(
    api, db, freelancer, make_gig
):
    gigs = [await make_gig(freelancer, title=f"Gig {i}") for i in range(6)]
    buyers = [await api.sign_up() for _ in range(3)]
    # gig 0: 5,4 (4.5 over 2); gig 1: 5 (5.0); gig 2: 4,5 (4.5 over 2, ties gig 0);
    # gig 3: 3 (3.0); gigs 4 and 5: unrated (last, tied at 0).
    for gig, ratings in zip(gigs, ([5, 4], [5], [4, 5], [3]), strict=False):
        for buyer, rating in zip(buyers, ratings, strict=False):
            await complete_order(db, gig, buyer, rating)
    assert await stored_figures(db, gigs[0]["id"]) == (2, 9, 4.5, 6, 6, 26)

    items = await _walk(api, {"sort": "rating", "limit": "2"})
    tied = sorted([gigs[0]["id"], gigs[2]["id"]], reverse=True)
    unrated = sorted([gigs[4]["id"], gigs[5]["id"]], reverse=True)
    assert [g["id"] for g in items] == [gigs[1]["id"], *tied, gigs[3]["id"], *unrated]
    by_id = {g["id"]: g for g in items}
    assert (by_id[gigs[0]["id"]]["rating_avg"], by_id[gigs[0]["id"]]["rating_count"]) == (4.5, 2)
    assert (by_id[gigs[4]["id"]]["rating_avg"], by_id[gigs[4]["id"]]["rating_count"]) == (None, 0)

    rated = await _walk(api, {"sort": "rating", "min_rating": "4.5", "limit": "1"})
    assert [g["id"] for g in rated] == [gigs[1]["id"], *tied]

    # An edited rating and a deleted review move both the gig's and the seller's figures.
    async with db.connection() as conn:
        await conn.execute("UPDATE gig_reviews SET rating = 1 WHERE gig_id = $1", gigs[1]["id"])
        await conn.execute(
            "DELETE FROM gig_reviews WHERE gig_id = $1 AND rating = 4", gigs[0]["id"]
        )
    assert await stored_figures(db, gigs[1]["id"]) == (1, 1, 1.0, 6, 5, 18)
    assert await stored_figures(db, gigs[0]["id"]) == (1, 5, 5.0, 6, 5, 18)
    first = (await api.get("/api/gigs", params={"sort": "rating", "limit": "1"}))["items"]
    assert [g["id"] for g in first] == [gigs[0]["id"]]


async def test_price_sort_and_range_stay_within_one_currency_across_ties(api, freelancer, make_gig):
    prices = [3000, 1000, 2000, 1000, 1000, 5000]
    gigs = [await make_gig(freelancer, pricing_tiers=priced(p)) for p in prices]
    euro = await make_gig(freelancer, pricing_tiers=priced(1500, "EUR"))
    items = await _walk(api, {"sort": "price", "currency": "USD", "limit": "2"})
    expected = sorted(zip(prices, [g["id"] for g in gigs], strict=True))
    assert [(g["from_price"], g["id"]) for g in items] == expected
    assert euro["id"] not in {g["id"] for g in items}

    ranged = await _walk(
        api,
        {"currency": "USD", "min_price": "1000", "max_price": "2000", "limit": "2"},
    )
    assert sorted(g["from_price"] for g in ranged) == [1000, 1000, 1000, 2000]  # newest first
    only_euro = await api.get("/api/gigs", params={"currency": "EUR"}, expect=200)
    assert [g["id"] for g in only_euro["items"]] == [euro["id"]]


async def test_delivery_filter_and_newest_pages_through_equal_times(api, db, freelancer, make_gig):
    gigs = [await make_gig(freelancer, pricing_tiers=priced(1000, days=d)) for d in (1, 3, 3, 9)]
    async with db.connection() as conn:
        await conn.execute("UPDATE gigs SET created_at = '2026-01-01T00:00:00Z'")
    items = await _walk(api, {"sort": "newest", "max_delivery_days": "3", "limit": "1"})
    assert [g["id"] for g in items] == sorted([g["id"] for g in gigs[:3]], reverse=True)
    assert all(g["delivery_days"] <= 3 for g in items)


async def test_relevance_combines_with_the_new_filters(api, db, freelancer, make_gig):
    cheap = await make_gig(freelancer, title="Python scraper", pricing_tiers=priced(1000))
    await make_gig(freelancer, title="Python service", pricing_tiers=priced(9000))
    await make_gig(freelancer, title="Logo design", pricing_tiers=priced(1000))
    page = await api.get(
        "/api/gigs", params={"q": "python", "currency": "USD", "max_price": "5000"}, expect=200
    )
    assert [g["id"] for g in page["items"]] == [cheap["id"]]
    buyer = await api.sign_up()
    await complete_order(db, cheap, buyer, 4)
    rated = await api.get(
        "/api/gigs", params={"q": "python", "sort": "relevance", "min_rating": "4"}, expect=200
    )
    assert [g["id"] for g in rated["items"]] == [cheap["id"]]


async def test_the_seller_badge_follows_completed_orders_and_ratings(api, db, make_gig):
    seller = await api.sign_up(["freelancer"])
    gig = await make_gig(seller)

    async def badge() -> str | None:
        [card] = (await api.get("/api/gigs", expect=200))["items"]
        return card["seller_badge"]

    assert await badge() == "new_seller"
    buyers = [await api.sign_up() for _ in range(10)]
    await complete_order(db, gig, buyers[0])
    assert await badge() is None  # completed, not reviewed yet
    await complete_order(db, gig, buyers[1], 5)
    assert await badge() == "rising"
    for i, buyer in enumerate(buyers[2:]):
        await complete_order(db, gig, buyer, 5 if i < 4 else None)
    assert await badge() == "top_rated"  # 10 orders, 5 reviews of 5
    # The freelancer's own list carries the same card figures.
    own = (await api.get("/api/gigs", params={"freelancer_id": str(seller.id)}))["items"]
    assert own[0]["seller_badge"] == "top_rated" and own[0]["rating_count"] == 5


def test_badge_rule_boundaries():
    assert seller_badge(0, 0, 0) == "new_seller"
    assert seller_badge(9, 5, 25) == "rising"  # one order short of top rated
    assert seller_badge(10, 4, 20) == "rising"  # one review short
    assert seller_badge(10, 10, 47) == "top_rated"  # exactly 4.7
    assert seller_badge(10, 10, 46) == "rising"
    assert seller_badge(3, 2, 8) is None  # 4.0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "relevance"}, "query.sort"),
        ({"sort": "relevance", "q": "  "}, "query.sort"),
        ({"sort": "price"}, "query.currency"),
        ({"min_price": "100"}, "query.currency"),
        ({"max_price": "100"}, "query.currency"),
        ({"min_price": "200", "max_price": "100", "currency": "USD"}, "query.max_price"),
        ({"min_price": "-1", "currency": "USD"}, "query.min_price"),
        ({"currency": "usd"}, "query.currency"),
        ({"max_delivery_days": "0"}, "query.max_delivery_days"),
        ({"max_delivery_days": "366"}, "query.max_delivery_days"),
        ({"min_rating": "0.5"}, "query.min_rating"),
        ({"min_rating": "5.5"}, "query.min_rating"),
        ({"min_rating": "nan"}, "query.min_rating"),
        ({"sort": "cheapest"}, "query.sort"),
    ],
)
async def test_bad_marketplace_queries_are_422_with_the_field(api, params, field):
    problem = await api.get("/api/gigs", params=params, expect=422)
    assert field in [e["field"] for e in problem["errors"]]


async def test_a_cursor_of_another_sort_or_a_hand_made_key_is_400(api, freelancer, make_gig):
    for _ in range(2):
        await make_gig(freelancer)
    newest = (await api.get("/api/gigs", params={"limit": "1"}, expect=200))["next"]
    rating = (await api.get("/api/gigs", params={"sort": "rating", "limit": "1"}))["next"]
    price = (await api.get("/api/gigs", params={"sort": "price", "currency": "USD", "limit": "1"}))[
        "next"
    ]
    for params in (
        {"sort": "rating", "cursor": newest},
        {"sort": "newest", "cursor": rating},
        {"sort": "rating", "cursor": price},
        {"sort": "price", "currency": "USD", "cursor": rating},
        {"q": "python", "cursor": price},
        {"sort": "rating", "cursor": cursor_of(["rating", "1e400", 1, ZERO])},
        {"sort": "rating", "cursor": cursor_of(["rating", "NaN", 1, ZERO])},
        {"sort": "rating", "cursor": cursor_of(["rating", "1e-20000", 1, ZERO])},
        {"sort": "rating", "cursor": cursor_of(["rating", "0e+99999", 1, ZERO])},
        {"sort": "rating", "cursor": cursor_of(["rating", "4.5", 2**40, ZERO])},
        {"sort": "price", "currency": "USD", "cursor": cursor_of(["price", 2**70, ZERO])},
    ):
        problem = await api.get("/api/gigs", params=params, expect=400)
        assert "cursor" in problem["detail"]
    for params in (
        {"sort": "rating", "cursor": rating},
        {"sort": "price", "currency": "USD", "cursor": price},
        {"cursor": newest},
    ):
        page = await api.get("/api/gigs", params=params, expect=200)
        assert len(page["items"]) == 1 and page["next"] is None
