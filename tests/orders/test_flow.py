"""An order from request to completion through the real routes."""

from __future__ import annotations


async def test_an_order_goes_from_request_to_completion(api, market):
    buyer, seller = market.buyer, market.seller
    order = await api.order(buyer, market.gig["id"], "standard")
    assert order["status"] == "requested"
    assert order["actions"] == ["cancel"]
    seen = await api.get(f"/api/orders/{order['id']}", as_=seller, expect=200)
    assert seen["actions"] == ["accept", "decline", "cancel"]
    order = await api.order_action(seller, order["id"], "accept")
    assert order["status"] == "in_progress"
    assert order["due_at"]
    order = await api.order_action(seller, order["id"], "deliver", {"message": "Here it is"})
    assert order["status"] == "delivered"
    assert order["auto_complete_at"]
    order = await api.order_action(buyer, order["id"], "request-revision", {"message": "Bigger"})
    assert order["status"] == "in_revision"
    assert order["revisions_used"] == 1
    order = await api.order_action(seller, order["id"], "deliver", {"message": "Bigger now"})
    order = await api.order_action(buyer, order["id"], "complete")
    assert order["status"] == "completed"
    assert [e["action"] for e in order["events"]] == [
        "create",
        "accept",
        "deliver",
        "request-revision",
        "deliver",
        "complete",
    ]
    assert [d["number"] for d in order["deliveries"]] == [1, 2]
    assert order["deliveries"][0]["revision_request"] == "Bigger"
