"""Every live event has the shape docs/realtime.md ("Every event") says it has.

The table is read from the document itself, so a payload and its documentation cannot drift
apart. Each event is produced the way a user produces it (the REST routes; typing and
profile.enriched through their services, as the socket handler and the worker call them),
recorded as the committed unit of work publishes it (``tests.live_events``), and encoded as
the socket receives it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from server.enrichment.events import ProfileEnrichedPayload, announce_enriched
from server.messaging.messages import MessageService
from tests.client import Api
from tests.live_events import RecordingEvents
from tests.messaging.live import Hiring, hiring

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"
NOTIFICATION_FIELDS = {"id", "type", "payload", "created_at", "read_at"}
ROW = re.compile(r"^\| `(/\w+)` \| `([\w.]+)` \| (.+?) \| .+ \| `[\w/.]+` \|$")


def documented() -> dict[tuple[str, str], set[str]]:
    section = DOC.read_text().split("## Every event", 1)[1].split("\n## ", 1)[0]
    events = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            namespace, name, fields = match.groups()
            # Values in brackets after a field (`change` (`created`, ...)) are not fields.
            events[(namespace, name)] = set(re.findall(r"`(\w+)`", re.sub(r"\(.*?\)", "", fields)))
    return events


DOCUMENTED = documented()
Scenario = Callable[[Api, object, Hiring, object], Awaitable[None]]


async def send_message(api, db, h, chat) -> None:
    await chat.send(h.candidate, h.conversation, "Hello")


async def read_up_to(api, db, h, chat) -> None:
    sent = await chat.send(h.candidate, h.conversation, "Hello")
    await chat.read(h.recruiter, h.conversation, sent["seq"])


async def change_a_message(api, db, h, chat) -> None:
    sent = await chat.send(h.candidate, h.conversation, "Helo")
    path = f"/api/conversations/{h.conversation['id']}/messages/{sent['id']}"
    await api.patch(path, {"content": "Hello"}, as_=h.candidate, expect=200)
    await api.call("PUT", f"{path}/reactions/%F0%9F%91%8D", as_=h.recruiter, expect=200)
    await api.delete(path, as_=h.candidate, expect=204)


async def type_something(api, db, h, chat) -> None:
    await MessageService(db).typing(h.candidate.id, uuid.UUID(h.conversation["id"]))


async def view_application(api, db, h, chat) -> None:
    path = f"/api/applications/{h.application_id}/status"
    await api.post(path, {"status": "viewed"}, as_=h.admin, expect=200)


async def already_done(api, db, h, chat) -> None:
    """Made by the set-up itself: a company invites and the recruiter accepts, a candidate
    applies, a conversation starts."""


async def _join_request(api, h) -> tuple[object, dict]:
    user = await api.sign_up(["professional"])
    path = f"/api/organizations/{h.company['id']}/memberships"
    request = await api.post(path, {"role_in_org": "employee"}, as_=user, expect=201)
    return user, request


async def request_to_join(api, db, h, chat) -> None:
    await _join_request(api, h)


async def decline_a_request(api, db, h, chat) -> None:
    _, request = await _join_request(api, h)
    await api.post(f"/api/memberships/{request['id']}/decline", as_=h.admin, expect=200)


async def _recruiter_membership(api, h) -> dict:
    page = await api.get(f"/api/organizations/{h.company['id']}/memberships", as_=h.admin)
    [membership] = [m for m in page["items"] if m["user_id"] == str(h.recruiter.id)]
    return membership


async def leave(api, db, h, chat) -> None:
    membership = await _recruiter_membership(api, h)
    await api.post(f"/api/memberships/{membership['id']}/leave", as_=h.recruiter, expect=200)


async def deactivate(api, db, h, chat) -> None:
    membership = await _recruiter_membership(api, h)
    await api.post(f"/api/memberships/{membership['id']}/deactivate", as_=h.admin, expect=200)


async def enrich_a_profile(api, db, h, chat) -> None:
    payload = ProfileEnrichedPayload(
        user_id=h.candidate.id,
        enrichment_id=uuid.uuid4(),
        resume_url=None,
        skills_added=["SQL"],
        enriched_at=datetime.now(UTC),
    )
    async with db.transaction() as tx:
        await announce_enriched(db, tx, payload)


async def _order(api) -> tuple[object, object, dict]:
    seller = await api.sign_up(["freelancer"])
    buyer = await api.sign_up()
    gig = await api.gig(seller)
    return seller, buyer, await api.order(buyer, gig["id"])


async def place_an_order(api, db, h, chat) -> None:
    await _order(api)


async def accept_an_order(api, db, h, chat) -> None:
    seller, _, order = await _order(api)
    await api.order_action(seller, order["id"], "accept")


async def remind_a_seller(api, db, h, chat) -> None:
    """As the `order_due_reminder` job does when the order falls due soon."""
    from server import keys
    from server.orders.service import OrderService

    seller, _, order = await _order(api)
    accepted = await api.order_action(seller, order["id"], "accept")
    service = OrderService(db, api.client.app[keys.SETTINGS])
    assert await service.remind_due(uuid.UUID(order["id"]), accepted["version"])


async def review_an_order(api, db, h, chat) -> dict:
    seller, buyer, order = await _order(api)
    await api.order_action(seller, order["id"], "accept")
    await api.order_action(seller, order["id"], "deliver", {"message": "Done", "files": []})
    await api.order_action(buyer, order["id"], "complete")
    await api.post(f"/api/orders/{order['id']}/review", {"rating": 5}, as_=buyer, expect=201)
    return {"seller": seller, "order": order}


async def reply_to_a_review(api, db, h, chat) -> None:
    reviewed = await review_an_order(api, db, h, chat)
    path = f"/api/orders/{reviewed['order']['id']}/review/reply"
    await api.post(path, {"text": "Thank you"}, as_=reviewed["seller"], expect=200)


async def build_an_export(api, db, h, chat) -> None:
    """As the `account_export` job does with the export a person asked for."""
    from server import keys
    from server.exports.service import ExportService

    app = api.client.app
    asked = await api.post("/api/me/export", as_=h.candidate, expect=202)
    service = ExportService(db, app[keys.STORAGE], app[keys.SETTINGS])
    assert await service.build(uuid.UUID(asked["id"]))


SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("/chat", "message"): send_message,
    ("/chat", "message_changed"): change_a_message,
    ("/chat", "conversation"): already_done,
    ("/chat", "read"): read_up_to,
    ("/chat", "typing"): type_something,
    ("/chat", "unread"): read_up_to,
    ("/notifications", "application.created"): already_done,
    ("/notifications", "application.status"): view_application,
    ("/notifications", "membership.requested"): request_to_join,
    ("/notifications", "membership.invited"): already_done,
    ("/notifications", "membership.approved"): already_done,
    ("/notifications", "membership.declined"): decline_a_request,
    ("/notifications", "membership.deactivated"): deactivate,
    ("/notifications", "membership.left"): leave,
    ("/notifications", "profile.enriched"): enrich_a_profile,
    ("/notifications", "order.created"): place_an_order,
    ("/notifications", "order.status"): accept_an_order,
    ("/notifications", "order.due_soon"): remind_a_seller,
    ("/notifications", "order.reviewed"): review_an_order,
    ("/notifications", "order.review_replied"): reply_to_a_review,
    ("/notifications", "account.export_ready"): build_an_export,
}


def test_the_document_lists_every_event_a_scenario_produces():
    assert set(DOCUMENTED) == set(SCENARIOS)


@pytest.mark.parametrize("key", sorted(SCENARIOS), ids=lambda key: f"{key[0]}:{key[1]}")
async def test_each_event_has_its_documented_shape(api, db, key):
    namespace, name = key
    recorder = RecordingEvents.on(db)
    chat, h = await hiring(api, db)
    await SCENARIOS[key](api, db, h, chat)
    events = [e for e in recorder.live(name) if e.namespace == namespace]
    assert events, f"{namespace} {name} was never emitted"
    for event in events:
        data = msgspec.json.decode(msgspec.json.encode(event.payload))  # as the socket gets it
        assert event.user_ids, "an event with nobody to receive it"
        if namespace == "/notifications":
            assert set(data) == NOTIFICATION_FIELDS
            assert data["type"] == name
            data = data["payload"]
        assert set(data) == DOCUMENTED[key]
