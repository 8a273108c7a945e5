"""Placing an order: POST /api/gigs/{gig_id}/orders, and what the order keeps of the gig."""

from __future__ import annotations

import uuid

import msgspec

from server.orders.events import OrderNotice
from tests.orders.conftest import set_revisions, snapshot

REQUIREMENTS = "  A page for my bakery: menu, hours, a map.\n"


async def count_orders(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM orders")


async def notifications_of(api, user, type_: str) -> list[dict]:
    page = await api.get("/api/notifications?limit=100", as_=user, expect=200)
    return [n for n in page["items"] if n["type"] == type_]


async def test_a_buyer_orders_a_tier_and_the_order_copies_its_terms(api, db, market):
    order = await api.order(market.buyer, market.gig["id"], "standard", REQUIREMENTS)
    standard = market.gig["pricing_tiers"]["standard"]
    assert order["status"] == "requested"
    assert order["version"] == 0
    assert order["gig_id"] == market.gig["id"]
    assert order["gig_title"] == market.gig["title"]
    assert order["tier"] == "standard"
    assert order["tier_description"] == standard["description"]
    assert order["price"] == standard["price"] == 15000
    assert order["currency"] == "USD"
    assert order["delivery_days"] == standard["delivery_days"]
    assert order["revisions_allowed"] == standard.get("revisions", 1)
    assert order["revisions_used"] == 0
    assert order["requirements"] == REQUIREMENTS.strip()
    assert order["attachments"] == []
    assert order["buyer"] == {"id": str(market.buyer.id), "name": "Bea Buyer", "avatar_url": None}
    assert order["seller"] == {
        "id": str(market.seller.id),
        "name": "Fran Freelancer",
        "avatar_url": None,
    }
    for unset in ("due_at", "accepted_at", "delivered_at", "completed_at", "auto_complete_at"):
        assert order[unset] is None
    assert order["auto_completed"] is False
    assert order["deliveries"] == []
    assert [
        (e["action"], e["actor_id"], e["from_status"], e["to_status"]) for e in order["events"]
    ] == [("create", str(market.buyer.id), None, "requested")]
    assert order["actions"] == ["cancel"]
    # The seller sees the same order, with the seller's actions.
    seen = await api.get(f"/api/orders/{order['id']}", as_=market.seller, expect=200)
    assert seen["actions"] == ["accept", "decline", "cancel"]
    assert {k: v for k, v in seen.items() if k != "actions"} == {
        k: v for k, v in order.items() if k != "actions"
    }


async def test_the_seller_is_notified_of_a_new_order(api, market):
    order = await api.order(market.buyer, market.gig["id"])
    [note] = await notifications_of(api, market.seller, "order.created")
    notice = msgspec.convert(note["payload"], OrderNotice)
    assert notice.order_id == uuid.UUID(order["id"])
    assert notice.gig_id == uuid.UUID(market.gig["id"])
    assert notice.gig_title == market.gig["title"]
    assert (notice.buyer_id, notice.seller_id) == (market.buyer.id, market.seller.id)
    assert (notice.status, notice.previous_status) == ("requested", None)
    assert (notice.action, notice.actor_id) == ("create", market.buyer.id)
    assert notice.due_at is None
    assert await notifications_of(api, market.buyer, "order.created") == []


async def test_the_order_has_its_conversation_with_the_first_system_line(api, market):
    order = await api.order(market.buyer, market.gig["id"])
    conversation_id = order["conversation_id"]
    assert conversation_id
    for party in (market.buyer, market.seller):
        history = await api.get(
            f"/api/conversations/{conversation_id}/messages", as_=party, expect=200
        )
        [line] = history["items"]
        assert line["kind"] == "system"
        assert "No payment is taken: arrange payment with the freelancer" in line["content"]
    outsider = await api.sign_up()
    await api.get(f"/api/conversations/{conversation_id}/messages", as_=outsider, expect=404)


async def test_a_later_gig_edit_does_not_change_the_order(api, market):
    order = await api.order(market.buyer, market.gig["id"], "basic")
    tiers = {"basic": {"price": 9900, "currency": "USD", "delivery_days": 1, "description": "New"}}
    await api.patch(
        f"/api/gigs/{market.gig['id']}",
        {"title": "Renamed gig", "pricing_tiers": tiers},
        as_=market.seller,
        expect=200,
    )
    after = await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)
    for kept in ("gig_title", "tier_description", "price", "currency", "delivery_days"):
        assert after[kept] == order[kept]
    assert after["revisions_allowed"] == order["revisions_allowed"]


async def test_a_deleted_gig_leaves_its_orders_with_their_title(api, market):
    order = await api.order(market.buyer, market.gig["id"])
    await api.delete(f"/api/gigs/{market.gig['id']}", as_=market.seller, expect=204)
    after = await api.get(f"/api/orders/{order['id']}", as_=market.seller, expect=200)
    assert after["gig_id"] is None
    assert after["gig_title"] == order["gig_title"]
    await api.order_action(market.seller, order["id"], "accept")


async def test_revisions_are_read_from_the_stored_tier_and_default_to_one(api, db, market):
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE gigs SET pricing_tiers = pricing_tiers #- '{basic,revisions}' WHERE id = $1",
            uuid.UUID(market.gig["id"]),
        )
    await set_revisions(db, market.gig["id"], "premium", 4)
    basic = await api.order(market.buyer, market.gig["id"], "basic")
    premium = await api.order(market.buyer, market.gig["id"], "premium")
    assert basic["revisions_allowed"] == 1
    assert premium["revisions_allowed"] == 4


async def test_nobody_orders_their_own_gig(api, db, market):
    problem = await api.post(
        f"/api/gigs/{market.gig['id']}/orders",
        {"tier": "basic", "requirements": "mine"},
        as_=market.seller,
        expect=403,
    )
    assert problem["detail"] == "you cannot order your own gig"
    assert await count_orders(db) == 0


async def test_an_unknown_or_paused_gig_is_404(api, db, market):
    body = {"tier": "basic", "requirements": "Please"}
    await api.post(f"/api/gigs/{uuid.uuid4()}/orders", body, as_=market.buyer, expect=404)
    await api.post("/api/gigs/not-an-id/orders", body, as_=market.buyer, expect=404)
    await api.patch(
        f"/api/gigs/{market.gig['id']}", {"status": "paused"}, as_=market.seller, expect=200
    )
    await api.post(f"/api/gigs/{market.gig['id']}/orders", body, as_=market.buyer, expect=404)
    assert await count_orders(db) == 0


async def test_a_tier_the_gig_does_not_offer_is_422_on_the_tier(api, db, market):
    tiers = {
        "basic": {"price": 5000, "currency": "USD", "delivery_days": 3, "description": "Basic"}
    }
    gig = await api.gig(market.seller, pricing_tiers=tiers)
    problem = await api.post(
        f"/api/gigs/{gig['id']}/orders",
        {"tier": "standard", "requirements": "Please"},
        as_=market.buyer,
        expect=422,
    )
    assert problem["errors"] == [
        {"field": "body.tier", "message": "this gig has no standard tier; it offers basic"}
    ]
    assert await count_orders(db) == 0


async def test_bad_order_bodies_are_422_on_their_field(api, db, market):
    path = f"/api/gigs/{market.gig['id']}/orders"
    cases = [
        ({"tier": "gold", "requirements": "x"}, "body.tier"),
        ({"requirements": "x"}, "body.tier"),
        ({"tier": "basic"}, "body.requirements"),
        ({"tier": "basic", "requirements": "   \n "}, "body.requirements"),
        ({"tier": "basic", "requirements": ""}, "body.requirements"),
        ({"tier": "basic", "requirements": "x" * 5001}, "body.requirements"),
        ({"tier": "basic", "requirements": "a\u0000b"}, "body.requirements"),
        (
            {"tier": "basic", "requirements": "x", "attachments": ["not a url"]},
            "body.attachments[0]",
        ),
        ({"tier": "basic", "requirements": "x", "price": 1}, "body"),
    ]
    for body, field in cases:
        problem = await api.post(path, body, as_=market.buyer, expect=422)
        assert [e["field"] for e in problem["errors"]] == [field], body
    assert await count_orders(db) == 0


async def test_ordering_needs_a_verified_account(api, db, market):
    unverified = await api.sign_up(verified=False)
    body = {"tier": "basic", "requirements": "Please"}
    await api.post(f"/api/gigs/{market.gig['id']}/orders", body, expect=401)
    await api.post(f"/api/gigs/{market.gig['id']}/orders", body, as_=unverified, expect=403)
    assert await count_orders(db) == 0


async def test_attachments_are_the_buyers_completed_order_files(api, db, market):
    brief = await api.upload(market.buyer, "order_file", b"%PDF-1.4 brief", filename="brief.pdf")
    photo = await api.upload(
        market.buyer, "order_file", b"\x89PNG logo", filename="logo.png", content_type="image/png"
    )
    order = await api.order(
        market.buyer, market.gig["id"], attachments=[brief["url"], photo["url"]]
    )
    assert order["attachments"] == [
        {
            "url": brief["url"],
            "filename": "brief.pdf",
            "content_type": "application/pdf",
            "size": len(b"%PDF-1.4 brief"),
        },
        {
            "url": photo["url"],
            "filename": "logo.png",
            "content_type": "image/png",
            "size": len(b"\x89PNG logo"),
        },
    ]
    # The seller may open them (part B's read rule for order files).
    assert await api.download(brief["url"], as_=market.seller) == b"%PDF-1.4 brief"


async def test_attachments_that_are_not_the_buyers_completed_order_files_are_422(api, db, market):
    theirs = await api.upload(market.seller, "order_file")
    resume = await api.upload(market.buyer, "resume")
    pending = await api.grant_upload(market.buyer, "order_file", 10)
    pending_url = f"http://rizeos.test/api/files/{pending['upload']['id']}"
    path = f"/api/gigs/{market.gig['id']}/orders"
    for url in (
        theirs["url"],
        resume["url"],
        pending_url,
        f"http://rizeos.test/api/files/{uuid.uuid4()}",
    ):
        body = {"tier": "basic", "requirements": "x", "attachments": [url]}
        problem = await api.post(path, body, as_=market.buyer, expect=422)
        assert [e["field"] for e in problem["errors"]] == ["body.attachments[0]"], url
    mine = await api.upload(market.buyer, "order_file")
    body = {"tier": "basic", "requirements": "x", "attachments": [mine["url"]] * 11}
    problem = await api.post(path, body, as_=market.buyer, expect=422)
    assert [e["field"] for e in problem["errors"]] == ["body.attachments"]
    assert await count_orders(db) == 0
    assert (await snapshot(db, str(uuid.uuid4())))["notifications"] == 0
