"""Helpers for review tests: orders made and completed through the orders API, and the
rows a refused review call must leave as they were."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.client import User


@dataclass
class Sale:
    seller: User
    buyer: User
    gig: dict
    order: dict


async def name(db, user: User, full_name: str) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO profiles (user_id, full_name) VALUES ($1, $2)"
            " ON CONFLICT (user_id) DO UPDATE SET full_name = $2",
            user.id,
            full_name,
        )


async def order_through(api, seller: User, buyer: User, gig: dict, steps: tuple) -> dict:
    """An order of `gig` by `buyer`, taken through `steps` (order actions) by their party."""
    order = await api.order(buyer, gig["id"])
    bodies = {"deliver": {"message": "Here it is", "files": []}}
    for action in steps:
        who = buyer if action in ("complete", "request-revision") else seller
        order = await api.order_action(who, order["id"], action, bodies.get(action, {}))
    return order


COMPLETE = ("accept", "deliver", "complete")


@pytest.fixture
def sale(api, db):
    """A completed order (or one taken through other steps) of a new gig, or of `gig`."""

    async def make(steps: tuple = COMPLETE, gig: dict | None = None, seller=None) -> Sale:
        if seller is None:
            seller = await api.sign_up(["freelancer"])
            await name(db, seller, "Fran Freelancer")
        buyer = await api.sign_up(["employer"])
        await name(db, buyer, "Bea Buyer")
        gig = gig or await api.gig(seller)
        order = await order_through(api, seller, buyer, gig, steps)
        return Sale(seller=seller, buyer=buyer, gig=gig, order=order)

    return make


async def review_state(db, order_id: str) -> dict:
    """What a review call may write: the review, the gig's and the seller's figures and the
    notifications."""
    oid = uuid.UUID(order_id)
    async with db.connection() as conn:
        review = await conn.fetchrow("SELECT * FROM gig_reviews WHERE order_id = $1", oid)
        figures = await conn.fetchrow(
            "SELECT g.rating_count, g.rating_sum, s.rating_count AS seller_count,"
            " s.rating_sum AS seller_sum FROM orders o JOIN gigs g ON g.id = o.gig_id"
            " LEFT JOIN seller_stats s ON s.user_id = o.seller_id WHERE o.id = $1",
            oid,
        )
        notifications = await conn.fetchval("SELECT count(*) FROM notifications")
    return {
        "review": dict(review) if review else None,
        "figures": dict(figures) if figures else None,
        "notifications": notifications,
    }


async def notices(api, user: User, type_: str) -> list[dict]:
    page = await api.get("/api/notifications?limit=100", as_=user, expect=200)
    return [n["payload"] for n in page["items"] if n["type"] == type_]
