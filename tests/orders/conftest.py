"""Helpers for order tests: a freelancer with a gig, a buyer, and the rows a refusal must
leave as they were."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.client import User


@dataclass
class Market:
    seller: User
    buyer: User
    gig: dict


async def give_name(db, user: User, full_name: str) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO profiles (user_id, full_name) VALUES ($1, $2)"
            " ON CONFLICT (user_id) DO UPDATE SET full_name = $2",
            user.id,
            full_name,
        )


@pytest.fixture
async def market(api, db) -> Market:
    seller = await api.sign_up(["freelancer"])
    buyer = await api.sign_up(["employer"])
    await give_name(db, seller, "Fran Freelancer")
    await give_name(db, buyer, "Bea Buyer")
    gig = await api.gig(seller)
    return Market(seller=seller, buyer=buyer, gig=gig)


async def snapshot(db, order_id: str) -> dict:
    """Everything a move writes about an order, to compare before and after a refusal."""
    oid = uuid.UUID(order_id)
    async with db.connection() as conn:
        order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", oid)
        deliveries = await conn.fetch(
            "SELECT * FROM order_deliveries WHERE order_id = $1 ORDER BY number", oid
        )
        timeline = await conn.fetch(
            "SELECT * FROM order_events WHERE order_id = $1 ORDER BY id", oid
        )
        notifications = await conn.fetchval("SELECT count(*) FROM notifications")
        jobs = await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint LIKE 'order_%'")
        messages = await conn.fetchval(
            "SELECT count(*) FROM messages m JOIN orders o ON o.conversation_id ="
            " m.conversation_id WHERE o.id = $1",
            oid,
        )
    return {
        "order": dict(order) if order else None,
        "deliveries": [dict(d) for d in deliveries],
        "events": [dict(e) for e in timeline],
        "notifications": notifications,
        "jobs": jobs,
        "messages": messages,
    }


async def set_status(db, order_id: str, status: str) -> None:
    """Put an order straight into a state, to test the moves out of it."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET status = $2 WHERE id = $1", uuid.UUID(order_id), status
        )


async def set_revisions(db, gig_id: str, tier: str, revisions: int) -> None:
    """Give a stored tier its revisions count (whatever the gig API of this branch writes)."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE gigs SET pricing_tiers = jsonb_set(pricing_tiers, ARRAY[$2, 'revisions'],"
            " to_jsonb($3::INT)) WHERE id = $1",
            uuid.UUID(gig_id),
            tier,
            revisions,
        )
