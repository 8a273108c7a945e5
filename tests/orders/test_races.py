"""Concurrent moves of one order: the compare-and-set on its version lets exactly one win;
the loser is a 409 that wrote nothing."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from server.orders.service import OrderService
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


async def test_an_order_placed_while_its_gig_is_being_deleted_is_a_404_not_a_500(api, db, market):
    gig_id = uuid.UUID(market.gig["id"])
    async with db.connection() as deleter, db.connection() as watcher:
        transaction = deleter.transaction()
        await transaction.start()
        await deleter.execute("DELETE FROM gigs WHERE id = $1", gig_id)
        placing = asyncio.ensure_future(
            api.call(
                "POST",
                f"/api/gigs/{gig_id}/orders",
                as_=market.buyer,
                json={"tier": "basic", "requirements": "A page for my bakery."},
            )
        )
        await wait_for_lock_waiters(watcher, 1)
        await transaction.commit()
        answer = await placing
    assert answer.get("status") == 404, answer
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0
        assert await conn.fetchval("SELECT count(*) FROM conversations") == 0


@pytest.mark.parametrize("first", ["buyer", "job"])
@pytest.mark.parametrize("answer", ["complete", "request-revision"])
async def test_the_auto_completion_racing_the_buyers_answer_lets_one_win(
    api, db, market, settings, answer, first
):
    order = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, order["id"], "accept")
    order = await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
    service = OrderService(db, settings)

    def buyer_answers():
        return asyncio.ensure_future(
            api.call(
                "POST",
                f"/api/orders/{order['id']}/{answer}",
                as_=market.buyer,
                json=BODIES.get(answer),
            )
        )

    def job_runs():
        return asyncio.ensure_future(
            service.auto_complete(uuid.UUID(order["id"]), order["version"])
        )

    # Both queue up on the order's row (held here) in the order `first` says; the first in
    # the queue wins, the other finds the order moved on.
    async with db.connection() as holder, db.connection() as watcher:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute(
            "SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", uuid.UUID(order["id"])
        )
        starts = [buyer_answers, job_runs] if first == "buyer" else [job_runs, buyer_answers]
        futures = []
        for waiting, start in enumerate(starts, 1):
            futures.append(start())
            await wait_for_lock_waiters(watcher, waiting)
        await transaction.rollback()
        results = await asyncio.gather(*futures)
    by_buyer, by_job = results if first == "buyer" else results[::-1]
    final = await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)
    assert final["version"] == order["version"] + 1
    moves = [e["action"] for e in final["events"]][len(order["events"]) :]
    if first == "job":
        assert by_job is True
        assert by_buyer["status"] == 409 and "changed meanwhile" in by_buyer["detail"]
        assert moves == ["auto-complete"]
        assert final["auto_completed"] is True
    else:
        assert by_job is False
        assert by_buyer["version"] == final["version"]
        assert moves == [answer]
        assert final["auto_completed"] is False
    async with db.connection() as conn:
        lines = await conn.fetchval(
            "SELECT count(*) FROM messages WHERE conversation_id = $1",
            uuid.UUID(final["conversation_id"]),
        )
    assert lines == 4  # placed, accepted, delivered, and the winner's
