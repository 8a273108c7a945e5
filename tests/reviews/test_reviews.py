"""Reviews (docs/marketplace.md): the buyer of a completed order reviews it once, edits it
within 14 days, the seller replies once; the gig's and the seller's figures follow; each
side is told; every refusal is a clear 4xx that changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from tests.reviews.conftest import notices, review_state

NOTICE_FIELDS = {
    "order_id",
    "gig_id",
    "gig_title",
    "buyer_id",
    "seller_id",
    "status",
    "previous_status",
    "action",
    "actor_id",
    "due_at",
    "at",
}


async def test_the_buyer_reviews_once_and_the_gig_card_and_seller_show_it(api, sale):
    s = await sale()
    oid = s.order["id"]
    review = await api.post(
        f"/api/orders/{oid}/review",
        {"rating": 5, "text": "  Great work!  "},
        as_=s.buyer,
        expect=201,
    )
    assert review["rating"] == 5 and review["text"] == "Great work!"
    assert review["order_id"] == oid and review["gig_id"] == s.gig["id"]
    assert review["buyer"] == {"id": str(s.buyer.id), "name": "Bea Buyer", "avatar_url": None}
    assert review["reply"] is None and review["replied_at"] is None
    created = datetime.fromisoformat(review["created_at"])
    assert datetime.fromisoformat(review["editable_until"]) == created + timedelta(days=14)

    [card] = (await api.get("/api/gigs", expect=200))["items"]
    assert (card["rating_avg"], card["rating_count"]) == (5.0, 1)
    assert card["seller_badge"] == "rising"
    page = await api.get(f"/api/gigs/{s.gig['id']}/reviews", expect=200)
    assert (page["rating_avg"], page["rating_count"], page["next"]) == (5.0, 1, None)
    assert page["items"] == [review]
    rating = await api.get(f"/api/users/{s.seller.id}/rating", expect=200)
    assert rating == {"rating_avg": 5.0, "rating_count": 1}
    for who in (s.buyer, s.seller):
        assert await api.get(f"/api/orders/{oid}/review", as_=who, expect=200) == review

    [notice] = await notices(api, s.seller, "order.reviewed")
    assert set(notice) == NOTICE_FIELDS
    assert notice["order_id"] == oid and notice["actor_id"] == str(s.buyer.id)
    assert (notice["status"], notice["previous_status"], notice["action"]) == (
        "completed",
        None,
        "review",
    )
    assert await notices(api, s.buyer, "order.reviewed") == []


async def test_a_second_review_is_409_and_changes_nothing(api, db, sale):
    s = await sale()
    path = f"/api/orders/{s.order['id']}/review"
    await api.post(path, {"rating": 4}, as_=s.buyer, expect=201)
    before = await review_state(db, s.order["id"])
    problem = await api.post(path, {"rating": 1, "text": "again"}, as_=s.buyer, expect=409)
    assert "already reviewed" in problem["detail"]
    assert await review_state(db, s.order["id"]) == before


@pytest.mark.parametrize(
    "steps", [(), ("accept",), ("accept", "deliver"), ("decline",), ("cancel",)]
)
async def test_only_a_completed_order_can_be_reviewed(api, db, sale, steps):
    bodies = {"decline": {"reason": "Busy"}, "cancel": {"reason": "Changed my mind"}}
    s = await sale(steps=())
    for action in steps:
        who = s.seller if action in ("accept", "deliver", "decline") else s.buyer
        body = bodies.get(action, {"message": "Here", "files": []} if action == "deliver" else {})
        await api.order_action(who, s.order["id"], action, body)
    before = await review_state(db, s.order["id"])
    problem = await api.post(
        f"/api/orders/{s.order['id']}/review", {"rating": 5}, as_=s.buyer, expect=409
    )
    assert "completed" in problem["detail"]
    assert await review_state(db, s.order["id"]) == before


async def test_others_are_refused_and_nothing_changes(api, db, sale):
    s = await sale()
    oid = s.order["id"]
    stranger = await api.sign_up(["freelancer"])
    before = await review_state(db, oid)
    await api.post(f"/api/orders/{oid}/review", {"rating": 5}, as_=s.seller, expect=403)
    await api.post(f"/api/orders/{oid}/review", {"rating": 5}, as_=stranger, expect=404)
    await api.post(f"/api/orders/{uuid.uuid4()}/review", {"rating": 5}, as_=s.buyer, expect=404)
    await api.post(f"/api/orders/{oid}/review", {"rating": 5}, expect=401)
    for who, status in ((s.buyer, 404), (s.seller, 404), (stranger, 404)):
        problem = await api.get(f"/api/orders/{oid}/review", as_=who, expect=status)
        assert problem["detail"] in ("this order has no review yet", "no such order")
    await api.patch(f"/api/orders/{oid}/review", {"rating": 2}, as_=s.buyer, expect=404)
    await api.post(f"/api/orders/{oid}/review/reply", {"text": "Hi"}, as_=s.seller, expect=404)
    assert await review_state(db, oid) == before

    await api.post(f"/api/orders/{oid}/review", {"rating": 5}, as_=s.buyer, expect=201)
    before = await review_state(db, oid)
    await api.get(f"/api/orders/{oid}/review", as_=stranger, expect=404)
    await api.patch(f"/api/orders/{oid}/review", {"rating": 1}, as_=s.seller, expect=403)
    await api.patch(f"/api/orders/{oid}/review", {"rating": 1}, as_=stranger, expect=404)
    await api.post(f"/api/orders/{oid}/review/reply", {"text": "Me"}, as_=s.buyer, expect=403)
    await api.post(f"/api/orders/{oid}/review/reply", {"text": "Me"}, as_=stranger, expect=404)
    assert await review_state(db, oid) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.rating"),
        ({"rating": 0}, "body.rating"),
        ({"rating": 6}, "body.rating"),
        ({"rating": "5"}, "body.rating"),
        ({"rating": 4.5}, "body.rating"),
        ({"rating": 5, "text": "x" * 5001}, "body.text"),
        ({"rating": 5, "text": "nul\u0000"}, "body.text"),
        ({"rating": 5, "stars": 5}, "body"),  # an unknown field
    ],
)
async def test_bad_review_bodies_are_422_with_the_field(api, db, sale, body, field):
    s = await sale()
    before = await review_state(db, s.order["id"])
    problem = await api.post(f"/api/orders/{s.order['id']}/review", body, as_=s.buyer, expect=422)
    assert problem["errors"][0]["field"] == field
    assert await review_state(db, s.order["id"]) == before


async def test_the_buyer_edits_within_14_days_and_the_figures_follow(api, db, sale):
    s = await sale()
    oid = s.order["id"]
    path = f"/api/orders/{oid}/review"
    first = await api.post(path, {"rating": 5, "text": "Great"}, as_=s.buyer, expect=201)
    unchanged = await api.patch(path, {}, as_=s.buyer, expect=200)
    assert unchanged == first
    edited = await api.patch(path, {"rating": 2}, as_=s.buyer, expect=200)
    assert (edited["rating"], edited["text"]) == (2, "Great")
    edited = await api.patch(path, {"text": " Late, in the end "}, as_=s.buyer, expect=200)
    assert (edited["rating"], edited["text"]) == (2, "Late, in the end")
    summary = await api.get(f"/api/gigs/{s.gig['id']}/reviews", expect=200)
    assert (summary["rating_avg"], summary["rating_count"]) == (2.0, 1)
    assert await api.get(f"/api/users/{s.seller.id}/rating") == {
        "rating_avg": 2.0,
        "rating_count": 1,
    }
    problem = await api.patch(path, {"rating": 9}, as_=s.buyer, expect=422)
    assert problem["errors"][0]["field"] == "body.rating"

    # Past the window (written 14 days and a minute ago): 409, nothing changes.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE gig_reviews SET created_at = now() - INTERVAL '14 days 1 minute'"
            " WHERE order_id = $1",
            uuid.UUID(oid),
        )
    before = await review_state(db, oid)
    problem = await api.patch(path, {"rating": 5}, as_=s.buyer, expect=409)
    assert "14 days" in problem["detail"]
    assert await review_state(db, oid) == before


async def test_the_seller_replies_once_and_the_buyer_is_told(api, db, sale):
    s = await sale()
    oid = s.order["id"]
    await api.post(f"/api/orders/{oid}/review", {"rating": 4}, as_=s.buyer, expect=201)
    reply_path = f"/api/orders/{oid}/review/reply"
    problem = await api.post(reply_path, {"text": "   "}, as_=s.seller, expect=422)
    assert problem["errors"][0]["field"] == "body.text"
    replied = await api.post(reply_path, {"text": " Thank you! "}, as_=s.seller, expect=200)
    assert replied["reply"] == "Thank you!" and replied["replied_at"] is not None
    [notice] = await notices(api, s.buyer, "order.review_replied")
    assert set(notice) == NOTICE_FIELDS
    assert (notice["action"], notice["actor_id"]) == ("review-reply", str(s.seller.id))

    before = await review_state(db, oid)
    problem = await api.post(reply_path, {"text": "Again"}, as_=s.seller, expect=409)
    assert "already" in problem["detail"]
    assert await review_state(db, oid) == before
    # A reply does not close the buyer's edit window, nor does an edit drop the reply.
    edited = await api.patch(f"/api/orders/{oid}/review", {"rating": 5}, as_=s.buyer)
    assert (edited["rating"], edited["reply"]) == (5, "Thank you!")


async def test_a_gigs_reviews_page_newest_first_through_ties(api, db, sale):
    first = await sale()
    sales = [first] + [await sale(gig=first.gig, seller=first.seller) for _ in range(4)]
    for i, s in enumerate(sales):
        await api.post(
            f"/api/orders/{s.order['id']}/review", {"rating": 1 + i}, as_=s.buyer, expect=201
        )
    async with db.connection() as conn:
        await conn.execute("UPDATE gig_reviews SET created_at = '2026-06-01T00:00:00Z'")
    seen, cursor = [], None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = await api.get(f"/api/gigs/{first.gig['id']}/reviews", params=params, expect=200)
        assert (page["rating_avg"], page["rating_count"]) == (3.0, 5)
        seen += [r["id"] for r in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    async with db.connection() as conn:
        ids = await conn.fetch("SELECT id::text FROM gig_reviews ORDER BY id DESC")
    assert seen == [r["id"] for r in ids]
    await api.get(f"/api/gigs/{first.gig['id']}/reviews", params={"cursor": "nope!"}, expect=400)
    await api.get(f"/api/gigs/{first.gig['id']}/reviews", params={"limit": "0"}, expect=422)
    await api.get(f"/api/gigs/{uuid.uuid4()}/reviews", expect=404)


async def test_a_paused_gigs_reviews_are_its_freelancers_and_a_deleted_gigs_still_count(api, sale):
    s = await sale()
    await api.post(f"/api/orders/{s.order['id']}/review", {"rating": 3}, as_=s.buyer, expect=201)
    gig_path = f"/api/gigs/{s.gig['id']}"
    await api.patch(gig_path, {"status": "paused"}, as_=s.seller, expect=200)
    await api.get(f"{gig_path}/reviews", expect=404)
    await api.get(f"{gig_path}/reviews", as_=s.buyer, expect=404)
    await api.get(f"{gig_path}/reviews", as_=s.seller, expect=200)
    await api.delete(gig_path, as_=s.seller, expect=204)
    review = await api.get(f"/api/orders/{s.order['id']}/review", as_=s.buyer, expect=200)
    assert review["gig_id"] is None
    assert await api.get(f"/api/users/{s.seller.id}/rating") == {
        "rating_avg": 3.0,
        "rating_count": 1,
    }


async def test_a_sellers_rating_without_reviews_and_of_nobody(api):
    user = await api.sign_up()
    assert await api.get(f"/api/users/{user.id}/rating", expect=200) == {
        "rating_avg": None,
        "rating_count": 0,
    }
    await api.get(f"/api/users/{uuid.uuid4()}/rating", expect=404)
    await api.get("/api/users/not-a-uuid/rating", expect=404)
