"""GET /api/me/orders: the caller's orders as buyer or seller, filtered, newest first,
keyset-paged."""

from __future__ import annotations

from server.paging import encode_cursor
from tests.orders.test_transitions import BODIES


async def ids(api, user, query: str) -> list[str]:
    page = await api.get(f"/api/me/orders?{query}", as_=user, expect=200)
    return [item["id"] for item in page["items"]]


async def test_buyer_and_seller_each_see_their_side(api, market):
    first = await api.order(market.buyer, market.gig["id"])
    second = await api.order(market.buyer, market.gig["id"], "premium")
    other_buyer = await api.sign_up()
    theirs = await api.order(other_buyer, market.gig["id"])
    assert await ids(api, market.buyer, "role=buyer") == [second["id"], first["id"]]
    assert await ids(api, market.buyer, "role=seller") == []
    assert await ids(api, market.seller, "role=seller") == [
        theirs["id"],
        second["id"],
        first["id"],
    ]
    assert await ids(api, market.seller, "role=buyer") == []
    page = await api.get("/api/me/orders?role=seller", as_=market.seller, expect=200)
    item = page["items"][0]
    assert "deliveries" not in item and "events" not in item
    assert item["actions"] == ["accept", "decline", "cancel"]
    assert item["buyer"]["id"] == str(other_buyer.id)
    assert page["next"] is None


async def test_status_filters(api, market):
    requested = await api.order(market.buyer, market.gig["id"])
    working = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, working["id"], "accept")
    declined = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, declined["id"], "decline", BODIES["decline"])
    buyer = market.buyer
    assert await ids(api, buyer, "role=buyer&status=active") == [working["id"], requested["id"]]
    assert await ids(api, buyer, "role=buyer&status=closed") == [declined["id"]]
    assert await ids(api, buyer, "role=buyer&status=in_progress") == [working["id"]]
    assert await ids(api, buyer, "role=buyer&status=completed") == []


async def test_pages_follow_each_other_newest_first(api, market):
    placed = [(await api.order(market.buyer, market.gig["id"]))["id"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "role=buyer&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await api.get(f"/api/me/orders?{query}", as_=market.buyer, expect=200)
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == placed[::-1]
    assert pages == 3


async def test_bad_list_queries_are_refused(api, market):
    buyer = market.buyer
    for query, field in (
        ("", "query.role"),
        ("role=admin", "query.role"),
        ("role=buyer&status=lost", "query.status"),
        ("role=buyer&limit=0", "query.limit"),
        ("role=buyer&limit=101", "query.limit"),
    ):
        problem = await api.get(f"/api/me/orders?{query}", as_=buyer, expect=422)
        assert [e["field"] for e in problem["errors"]] == [field], query
    await api.get("/api/me/orders?role=buyer&cursor=nonsense", as_=buyer, expect=400)
    naive = encode_cursor("2020-01-01T00:00:00", "00000000-0000-0000-0000-000000000000")
    await api.get(f"/api/me/orders?role=buyer&cursor={naive}", as_=buyer, expect=400)
    await api.get("/api/me/orders?role=buyer", expect=401)
