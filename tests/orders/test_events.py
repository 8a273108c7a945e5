"""What leaves live, and when: each committed move emits its notification to the other
party and its chat line to both, after the commit; a refused move emits nothing."""

from __future__ import annotations

import uuid

from tests.live_events import RecordingEvents
from tests.orders.test_transitions import BODIES


async def test_a_move_is_emitted_after_its_commit_to_the_other_party(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    recorder = RecordingEvents.on(db)
    committed: list[str] = []
    forward = recorder.publish

    async def publish(items):
        # What another connection sees at the moment the events leave.
        async with db.connection() as conn:
            committed.append(
                await conn.fetchval(
                    "SELECT status FROM orders WHERE id = $1", uuid.UUID(order["id"])
                )
            )
        await forward(items)

    recorder.publish = publish
    await api.order_action(market.seller, order["id"], "accept")
    [notice] = recorder.live("order.status")
    assert notice.namespace == "/notifications"
    assert list(notice.user_ids) == [market.buyer.id]
    assert notice.payload.payload["status"] == "in_progress"
    [line] = [e for e in recorder.live("message") if e.namespace == "/chat"]
    assert set(line.user_ids) == {market.buyer.id, market.seller.id}
    assert line.payload.kind == "system"
    assert committed and set(committed) == {"in_progress"}


async def test_a_refused_move_emits_nothing(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    stranger = await api.sign_up()
    recorder = RecordingEvents.on(db)
    await api.order_action(market.buyer, order["id"], "accept", expect=403)
    await api.order_action(market.seller, order["id"], "complete", expect=403)
    await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"], expect=409)
    await api.order_action(market.seller, order["id"], "decline", {}, expect=422)
    await api.order_action(stranger, order["id"], "cancel", BODIES["cancel"], expect=404)
    assert recorder.items == []
