"""Every transition through POST /api/orders/{order_id}/{action}: what it writes, who hears
of it, and every refusal (403, 404, 409, 422) leaving everything as it was."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from server.orders.events import OrderNotice
from tests.orders.conftest import set_revisions, set_status, snapshot

BODIES = {
    "accept": None,
    "decline": {"reason": "Fully booked this month"},
    "deliver": {"message": "Here is your page"},
    "request-revision": {"message": "Make the logo bigger"},
    "complete": None,
    "cancel": {"reason": "Plans changed"},
}
STATUSES = [
    "requested",
    "in_progress",
    "delivered",
    "in_revision",
    "completed",
    "declined",
    "cancelled",
]
# (action, who, from) that are legal: the table of docs/orders.md.
LEGAL = {
    ("accept", "seller", "requested"),
    ("decline", "seller", "requested"),
    ("cancel", "buyer", "requested"),
    ("cancel", "seller", "requested"),
    ("cancel", "buyer", "in_progress"),
    ("cancel", "seller", "in_progress"),
    ("deliver", "seller", "in_progress"),
    ("deliver", "seller", "in_revision"),
    ("request-revision", "buyer", "delivered"),
    ("complete", "buyer", "delivered"),
}
MOVERS = {
    "accept": {"seller"},
    "decline": {"seller"},
    "deliver": {"seller"},
    "request-revision": {"buyer"},
    "complete": {"buyer"},
    "cancel": {"buyer", "seller"},
}


async def last_notice(api, user, type_: str = "order.status") -> OrderNotice:
    page = await api.get("/api/notifications?limit=100", as_=user, expect=200)
    notes = [n for n in page["items"] if n["type"] == type_]
    assert notes, f"no {type_} notification"
    return msgspec.convert(notes[0]["payload"], OrderNotice)


async def status_notices(api, user) -> int:
    page = await api.get("/api/notifications?limit=100", as_=user, expect=200)
    return len([n for n in page["items"] if n["type"] == "order.status"])


async def system_lines(api, user, order: dict) -> list[dict]:
    history = await api.get(
        f"/api/conversations/{order['conversation_id']}/messages?limit=100", as_=user, expect=200
    )
    lines = [m for m in history["items"] if m["kind"] == "system"]
    return sorted(lines, key=lambda m: m["seq"])


async def jobs(db, entrypoint: str) -> list[dict]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT convert_from(payload, 'UTF8')::jsonb AS payload, execute_after"
            " FROM pgqueuer WHERE entrypoint = $1 ORDER BY id",
            entrypoint,
        )
    return [dict(r) for r in rows]


def near(moment: str | datetime, expected: datetime, slack: float = 30) -> bool:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return abs((moment - expected).total_seconds()) < slack


def who(market, role: str):
    return market.buyer if role == "buyer" else market.seller


async def check_move(api, market, order, action, role, before_status):
    """The common effects of one move: version, timeline, system line, notification."""
    actor = who(market, role)
    other = market.seller if role == "buyer" else market.buyer
    lines_before = len(await system_lines(api, actor, order))
    notes_before = await status_notices(api, other)
    actor_notes_before = await status_notices(api, actor)
    moved = await api.order_action(actor, order["id"], action, BODIES[action])
    assert moved["version"] == order["version"] + 1
    assert near(moved["status_changed_at"], datetime.now(UTC))
    event = moved["events"][-1]
    assert (event["action"], event["actor_id"], event["from_status"], event["to_status"]) == (
        action,
        str(actor.id),
        before_status,
        moved["status"],
    )
    lines = await system_lines(api, other, moved)
    assert len(lines) == lines_before + 1
    assert lines[-1]["sender_id"] == str(actor.id)
    assert await status_notices(api, other) == notes_before + 1
    notice = await last_notice(api, other)
    assert notice.order_id == uuid.UUID(order["id"])
    assert (notice.previous_status, notice.status) == (before_status, moved["status"])
    assert (notice.action, notice.actor_id) == (action, actor.id)
    assert await status_notices(api, actor) == actor_notes_before
    return moved


async def test_the_seller_accepts_and_the_order_is_due_after_the_delivery_days(api, db, market):
    order = await api.order(market.buyer, market.gig["id"], "standard")
    moved = await check_move(api, market, order, "accept", "seller", "requested")
    assert moved["status"] == "in_progress"
    assert near(moved["accepted_at"], datetime.now(UTC))
    due = datetime.fromisoformat(moved["due_at"])
    assert due == datetime.fromisoformat(moved["accepted_at"]) + timedelta(days=7)
    assert moved["actions"] == ["deliver", "cancel"]
    [reminder] = await jobs(db, "order_due_reminder")
    assert reminder["payload"] == {"order_id": order["id"], "version": 1}
    assert reminder["execute_after"] == due - timedelta(hours=24)
    buyer_view = await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)
    assert buyer_view["actions"] == ["cancel"]


async def test_the_seller_declines_with_a_reason(api, market):
    order = await api.order(market.buyer, market.gig["id"])
    moved = await check_move(api, market, order, "decline", "seller", "requested")
    assert moved["status"] == "declined"
    assert moved["close_reason"] == "Fully booked this month"
    assert moved["closed_by"] == str(market.seller.id)
    assert moved["closed_at"]
    assert moved["events"][-1]["note"] == "Fully booked this month"
    assert moved["actions"] == []


@pytest.mark.parametrize("role", ["buyer", "seller"])
@pytest.mark.parametrize("status", ["requested", "in_progress"])
async def test_either_side_cancels_before_delivery(api, market, role, status):
    order = await api.order(market.buyer, market.gig["id"])
    if status == "in_progress":
        order = await api.order_action(market.seller, order["id"], "accept")
    moved = await check_move(api, market, order, "cancel", role, status)
    assert moved["status"] == "cancelled"
    assert moved["close_reason"] == "Plans changed"
    assert moved["closed_by"] == str(who(market, role).id)


async def test_the_seller_delivers_with_files_and_auto_completion_is_scheduled(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    order = await api.order_action(market.seller, order["id"], "accept")
    page = await api.upload(
        market.seller,
        "order_file",
        b"<html>page</html>",
        filename="page.png",
        content_type="image/png",
    )
    BODIES["deliver"] = {"message": "  Here is your page  ", "files": [page["url"]]}
    try:
        moved = await check_move(api, market, order, "deliver", "seller", "in_progress")
    finally:
        BODIES["deliver"] = {"message": "Here is your page"}
    assert moved["status"] == "delivered"
    [delivery] = moved["deliveries"]
    assert delivery["number"] == 1
    assert delivery["message"] == "Here is your page"
    assert delivery["files"] == [
        {"url": page["url"], "filename": "page.png", "content_type": "image/png", "size": 17}
    ]
    assert delivery["revision_request"] is None
    delivered_at = datetime.fromisoformat(moved["delivered_at"])
    assert datetime.fromisoformat(moved["auto_complete_at"]) == delivered_at + timedelta(days=3)
    [job] = await jobs(db, "order_auto_complete")
    assert job["payload"] == {"order_id": order["id"], "version": 2}
    assert job["execute_after"] == delivered_at + timedelta(days=3)
    assert moved["actions"] == []
    buyer_view = await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)
    assert buyer_view["actions"] == ["request-revision", "complete"]
    assert await api.download(page["url"], as_=market.buyer) == b"<html>page</html>"


async def test_the_buyer_asks_for_revisions_until_none_is_left(api, db, market):
    await set_revisions(db, market.gig["id"], "standard", 2)
    order = await api.order(market.buyer, market.gig["id"], "standard")
    assert order["revisions_allowed"] == 2
    order = await api.order_action(market.seller, order["id"], "accept")
    for used in (1, 2):
        order = await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
        moved = await check_move(api, market, order, "request-revision", "buyer", "delivered")
        assert moved["status"] == "in_revision"
        assert moved["revisions_used"] == used
        assert moved["auto_complete_at"] is None
        due = datetime.fromisoformat(moved["due_at"])
        assert near(due, datetime.now(UTC) + timedelta(days=7))
        assert moved["deliveries"][-1]["revision_request"] == "Make the logo bigger"
        assert moved["deliveries"][-1]["revision_requested_at"]
        assert moved["actions"] == []
        order = moved
    reminders = await jobs(db, "order_due_reminder")
    assert [r["payload"]["version"] for r in reminders] == [1, 3, 5]
    order = await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
    assert order["deliveries"][-1]["number"] == 3
    buyer_view = await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)
    assert buyer_view["actions"] == ["complete"]
    before = await snapshot(db, order["id"])
    problem = await api.order_action(
        market.buyer, order["id"], "request-revision", BODIES["request-revision"], expect=409
    )
    assert "no revisions are left" in problem["detail"]
    assert "allowed now: complete" in problem["detail"]
    assert await snapshot(db, order["id"]) == before


async def test_the_buyer_completes_a_delivered_order(api, market):
    order = await api.order(market.buyer, market.gig["id"])
    order = await api.order_action(market.seller, order["id"], "accept")
    order = await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
    moved = await check_move(api, market, order, "complete", "buyer", "delivered")
    assert moved["status"] == "completed"
    assert moved["completed_at"] and moved["closed_at"]
    assert moved["closed_by"] == str(market.buyer.id)
    assert moved["auto_completed"] is False
    assert moved["auto_complete_at"] is None
    assert moved["actions"] == []


async def order_in(api, db, market, status: str) -> dict:
    """An order in ``status`` with a delivery (so every action has something to act on)."""
    order = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, order["id"], "accept")
    await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
    await set_status(db, order["id"], status)
    return await api.get(f"/api/orders/{order['id']}", as_=market.buyer, expect=200)


@pytest.mark.parametrize("status", STATUSES)
async def test_every_illegal_move_is_refused_and_changes_nothing(api, db, market, status):
    order = await order_in(api, db, market, status)
    before = await snapshot(db, order["id"])
    for action, body in BODIES.items():
        for role in ("buyer", "seller"):
            if (action, role, status) in LEGAL:
                continue
            expected = 403 if role not in MOVERS[action] else 409
            problem = await api.order_action(
                who(market, role), order["id"], action, body, expect=expected
            )
            if expected == 409:
                assert "allowed now:" in problem["detail"], problem
            else:
                assert problem["detail"].startswith("only the"), problem
    assert await snapshot(db, order["id"]) == before


async def test_a_stranger_cannot_see_or_move_an_order(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    stranger = await api.sign_up(["freelancer"])
    before = await snapshot(db, order["id"])
    await api.get(f"/api/orders/{order['id']}", as_=stranger, expect=404)
    for action, body in BODIES.items():
        await api.order_action(stranger, order["id"], action, body, expect=404)
    await api.get(f"/api/orders/{uuid.uuid4()}", as_=market.buyer, expect=404)
    await api.get("/api/orders/not-an-id", as_=market.buyer, expect=404)
    await api.order_action(market.seller, str(uuid.uuid4()), "accept", expect=404)
    await api.get(f"/api/orders/{order['id']}", expect=401)
    await api.order_action(market.seller, order["id"], "teleport", expect=404)
    await api.post(f"/api/orders/{order['id']}/accept", expect=401)
    assert await snapshot(db, order["id"]) == before


async def test_bad_bodies_are_422_on_their_field_and_change_nothing(api, db, market):
    order = await api.order(market.buyer, market.gig["id"])
    before = await snapshot(db, order["id"])
    # Each refusal in words a person reads beside the field (not msgspec's "Expected `str`
    # of length >= 1").
    cases = [
        (market.seller, "decline", {}, "body.reason", "is required"),
        (market.seller, "decline", {"reason": "  "}, "body.reason", "must not be blank"),
        (market.seller, "decline", {"reason": 5}, "body.reason", "must be text"),
        (
            market.seller,
            "decline",
            {"reason": "x" * 1001},
            "body.reason",
            "must be at most 1000 characters",
        ),
        (market.buyer, "cancel", {"reason": ""}, "body.reason", "must not be empty"),
        (market.buyer, "cancel", {"reason": "ok", "extra": 1}, "body", "has an unknown field"),
        (market.seller, "cancel", None, "body", None),
    ]
    for user, action, body, field, message in cases:
        problem = await api.order_action(user, order["id"], action, body, expect=422)
        assert [e["field"] for e in problem["errors"]] == [field], (action, body)
        if message:
            assert problem["errors"][0]["message"].startswith(message), problem
            assert "Expected" not in problem["detail"], problem
    assert await snapshot(db, order["id"]) == before

    order = await api.order_action(market.seller, order["id"], "accept")
    before = await snapshot(db, order["id"])
    buyers_file = await api.upload(market.buyer, "order_file")
    cases = [
        ({"files": []}, "body.message"),
        ({"message": "x" * 5001}, "body.message"),
        ({"message": "ok", "files": [buyers_file["url"]]}, "body.files[0]"),
        ({"message": "ok", "files": ["ftp://nope"]}, "body.files[0]"),
        ({"message": "ok", "files": [buyers_file["url"]] * 11}, "body.files"),
    ]
    sellers_file = await api.upload(market.seller, "order_file")
    # A repeated file does not shift the index the refusal names.
    cases.append(
        (
            {"message": "ok", "files": [sellers_file["url"]] * 2 + [buyers_file["url"]]},
            "body.files[2]",
        )
    )
    for body, field in cases:
        problem = await api.order_action(market.seller, order["id"], "deliver", body, expect=422)
        assert [e["field"] for e in problem["errors"]] == [field], body
        assert "Expected" not in problem["errors"][0]["message"], problem
    assert await snapshot(db, order["id"]) == before

    order = await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
    before = await snapshot(db, order["id"])
    for body in ({}, {"message": " "}):
        problem = await api.order_action(
            market.buyer, order["id"], "request-revision", body, expect=422
        )
        assert [e["field"] for e in problem["errors"]] == ["body.message"]
    assert await snapshot(db, order["id"]) == before


async def test_moves_without_a_body_accept_an_empty_one(api, market):
    order = await api.order(market.buyer, market.gig["id"])
    order = await api.order_action(market.seller, order["id"], "accept", {})
    assert order["status"] == "in_progress"
