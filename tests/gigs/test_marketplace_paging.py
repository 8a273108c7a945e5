"""Keyset paging of every marketplace sort, checked against a sort of everything: random
gigs with many ties (equal times, prices, averages and counts, unrated gigs), walked with
random page sizes and filters; the pages together must be exactly the whole ordered list."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tests.gigs.test_gig_search import _walk

GIGS = 60


async def random_gigs(db, owner, rng: random.Random) -> list[dict]:
    """Gigs written straight into the table (the read path is what is tested), with their
    figures as the triggers keep them."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    gigs = []
    async with db.connection() as conn:
        for i in range(GIGS):
            price = rng.choice([100, 100, 250, 999, 5000])
            currency = rng.choice(["USD", "USD", "EUR"])
            days = rng.choice([1, 3, 3, 7])
            tiers = {
                "basic": {
                    "price": price,
                    "currency": currency,
                    "delivery_days": days,
                    "description": "It",
                    "revisions": 1,
                }
            }
            count = rng.choice([0, 0, 1, 2, 2, 3])
            total = sum(rng.choice([3, 4, 5, 5]) for _ in range(count))
            created = base + timedelta(hours=rng.choice([0, 1, 1, 2]))
            gig_id = await conn.fetchval(
                "INSERT INTO gigs (freelancer_id, title, description, skills, pricing_tiers,"
                " media_gallery, status, created_at, rating_count, rating_sum)"
                " VALUES ($1, $2, 'A gig to page through', '{}', $3, '[]'::jsonb,"
                " $4, $5, $6, $7) RETURNING id",
                owner.id,
                f"Gig {i}",
                tiers,
                rng.choice(["active", "active", "active", "paused"]),
                created,
                count,
                total,
            )
            avg = (
                (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
            )
            status = await conn.fetchval("SELECT status FROM gigs WHERE id = $1", gig_id)
            gigs.append(
                {
                    "id": gig_id,
                    "price": price,
                    "currency": currency,
                    "days": days,
                    "count": count,
                    "avg": avg,
                    "created": created,
                    "active": status == "active",
                }
            )
    return gigs


def expected(gigs: list[dict], params: dict) -> list[str]:
    sort = params.get("sort", "newest")
    kept = [g for g in gigs if g["active"]]
    if "currency" in params:
        kept = [g for g in kept if g["currency"] == params["currency"]]
    if "min_price" in params:
        kept = [g for g in kept if g["price"] >= int(params["min_price"])]
    if "max_price" in params:
        kept = [g for g in kept if g["price"] <= int(params["max_price"])]
    if "max_delivery_days" in params:
        kept = [g for g in kept if g["days"] <= int(params["max_delivery_days"])]
    if "min_rating" in params:
        kept = [g for g in kept if (g["avg"] or 0) >= Decimal(params["min_rating"])]
    key = {
        "newest": lambda g: (g["created"], g["id"]),
        "rating": lambda g: (g["avg"] or Decimal(0), g["count"], g["id"]),
        "price": lambda g: (-g["price"], uuid.UUID(int=2**128 - 1 - g["id"].int)),
    }[sort]
    return [str(g["id"]) for g in sorted(kept, key=key, reverse=True)]


async def test_every_sort_pages_exactly_like_a_sort_of_everything(api, db, freelancer):
    rng = random.Random(16)
    gigs = await random_gigs(db, freelancer, rng)
    cases = [{"sort": "newest"}, {"sort": "rating"}, {"sort": "price", "currency": "USD"}]
    cases += [{"sort": "price", "currency": "EUR"}, {"sort": "rating", "min_rating": "4"}]
    for _ in range(12):
        params = {"sort": rng.choice(["newest", "rating", "price"])}
        if params["sort"] == "price" or rng.random() < 0.4:
            params["currency"] = rng.choice(["USD", "EUR"])
            if rng.random() < 0.5:
                params["min_price"] = str(rng.choice([0, 100, 250]))
            if rng.random() < 0.5:
                params["max_price"] = str(rng.choice([250, 999, 5000]))
        if rng.random() < 0.4:
            params["max_delivery_days"] = str(rng.choice([1, 3, 7]))
        if rng.random() < 0.4:
            params["min_rating"] = rng.choice(["1", "3.5", "4.33", "4.5", "5"])
        cases.append(params)
    for params in cases:
        params["limit"] = str(rng.choice([1, 2, 3, 7]))
        got = [g["id"] for g in await _walk(api, params)]
        assert got == expected(gigs, params), params
