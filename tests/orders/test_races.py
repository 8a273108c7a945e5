"""Concurrent moves of one order: the compare-and-set on its version lets exactly one win;
the loser is a 409 that wrote nothing."""

from __future__ import annotations

import asyncio
import uuid

from tests.orders.test_transitions import BODIES
from tests.waits import wait_for_lock_waiters


async def test_of_two_moves_racing_on_one_version_exactly_one_wins(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    # Hold the order's row so both requests read version 0, pass the rules, and queue up on
    # their compare-and-set; then let them go.
    async with db.connection() as holder, db.connection() as watcher:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute(
            "SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", uuid.UUID(order["id"])
        )
        moves = [
            asyncio.ensure_future(
                api.call("POST", f"/api/orders/{order['id']}/accept", as_=market.seller)
            ),
            asyncio.ensure_future(
                api.call(
                    "POST",
                    f"/api/orders/{order['id']}/cancel",
                    as_=market.buyer,
                    json=BODIES["cancel"],
                )
            ),
        ]
        await wait_for_lock_waiters(watcher, 2)
        await transaction.rollback()
        answers = await asyncio.gather(*moves)
    winners = [a for a in answers if a.get("status") in ("in_progress", "cancelled")]
    losers = [a for a in answers if a.get("type", "").endswith("#conflict")]
    assert len(winners) == 1 and len(losers) == 1, answers
    assert "changed meanwhile" in losers[0]["detail"]
    final = await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)
    assert final["version"] == 1
    assert [e["action"] for e in final["events"]] == ["create", winners[0]["events"][-1]["action"]]
    async with db.connection() as conn:
        status_notes = await conn.fetchval(
            "SELECT count(*) FROM notifications WHERE type = 'order.status'"
        )
        lines = await conn.fetchval(
            "SELECT count(*) FROM messages WHERE conversation_id = $1",
            uuid.UUID(final["conversation_id"]),
        )
    assert status_notes == 1
    assert lines == 2  # the order's first line and the winner's


async def test_many_concurrent_identical_moves_make_one_change(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    answers = await asyncio.gather(
        *(
            api.call("POST", f"/api/orders/{order['id']}/accept", as_=market.seller)
            for _ in range(6)
        )
    )
    assert sum(1 for a in answers if a.get("status") == "in_progress") == 1
    assert sum(1 for a in answers if a.get("status") == 409) == 5
    async with db.connection() as conn:
        reminders = await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_due_reminder'"
        )
        accepts = await conn.fetchval("SELECT count(*) FROM order_events WHERE action = 'accept'")
    assert (reminders, accepts) == (1, 1)
