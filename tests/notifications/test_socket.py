"""The /notifications namespace: resume with `sync`, `read`, acks, and profile.enriched."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
import pytest
import socketio

from server.enrichment.events import ProfileEnrichedPayload, announce_enriched
from server.notifications.schemas import SYNC_LIMIT
from server.notifications.service import NotificationService
from tests.notifications.conftest import NS, apply, is_notification, notify_directly, stored
from tests.sockets import connect_socket


async def test_offline_candidate_catches_up_by_rest_and_by_sync_after_reconnect(
    api, hiring, recruiter, student, inbox_for
):
    on_student = await inbox_for(student)
    application = await apply(api, hiring, student)
    path = f"/api/applications/{application['id']}"
    await api.get(path, as_=recruiter, expect=200)
    _, seen = await on_student.next()  # viewed, seen live
    await on_student.close()
    # while the candidate is offline, two more moves
    await api.post(f"{path}/status", {"status": "shortlisted"}, as_=recruiter, expect=200)
    await api.post(f"{path}/status", {"status": "interviewing"}, as_=recruiter, expect=200)

    missed = await stored(api, student, after=str(seen["id"]))
    assert [n["payload"]["status"] for n in missed] == ["interviewing", "shortlisted"]

    back = await inbox_for(student)
    ack = await back.call("sync", {"after": seen["id"]})
    assert ack["ok"] is True and ack["more"] is False and ack["unread"] == 3
    assert ack["notifications"] == list(reversed(missed))  # oldest first, same objects
    for data in ack["notifications"]:
        is_notification(data, "application.status")
    # and from the start: everything, in order
    everything = await back.call("sync", {"after": 0})
    assert [n["id"] for n in everything["notifications"]] == [
        seen["id"],
        *(n["id"] for n in reversed(missed)),
    ]


async def test_sync_of_a_long_absence_says_more_and_rest_pages_the_rest(api, client, inbox_for):
    user = await api.sign_up()
    ids = await notify_directly(client.app, [user], count=SYNC_LIMIT + 5)
    inbox = await inbox_for(user)
    ack = await inbox.call("sync", {"after": 0})
    assert ack["more"] is True
    assert [n["id"] for n in ack["notifications"]] == ids[:SYNC_LIMIT]
    last = ack["notifications"][-1]["id"]
    rest = await stored(api, user, after=str(last), limit="100")
    assert [n["id"] for n in rest] == ids[: SYNC_LIMIT - 1 : -1]
    assert (await inbox.call("sync"))["more"] is True  # no data means from the start


async def test_read_over_the_socket_is_owner_only(api, client, inbox_for):
    owner, other = await api.sign_up(), await api.sign_up()
    [mine] = await notify_directly(client.app, [owner])
    on_other = await inbox_for(other)
    refused = await on_other.call("read", {"id": mine})
    assert refused == {"error": {"code": "not_found", "message": "no such notification"}}
    on_owner = await inbox_for(owner)
    ack = await on_owner.call("read", {"id": mine})
    assert ack["ok"] is True and ack["unread"] == 0
    assert ack["notification"]["id"] == mine and ack["notification"]["read_at"] is not None


@pytest.mark.parametrize(
    "event, data",
    [
        ("read", None),
        ("read", {"id": "x"}),
        ("read", {"id": -1}),
        ("read", [1, 2]),
        ("sync", {"after": -1}),
        ("sync", {"after": 2**63}),
        ("sync", {"since": 1}),
        ("sync", "everything"),
    ],
)
async def test_malformed_calls_are_acked_with_an_error(api, inbox_for, event, data):
    inbox = await inbox_for(await api.sign_up())
    ack = await inbox.call(event, data)
    assert set(ack) == {"error"} and ack["error"]["code"] == "invalid"
    assert isinstance(ack["error"]["message"], str)


async def test_an_unexpected_failure_is_still_acked(api, client, inbox_for, monkeypatch):
    inbox = await inbox_for(await api.sign_up())

    async def broken(self, user_id, after):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(NotificationService, "sync", broken)
    ack = await inbox.call("sync", {"after": 0})
    assert ack == {"error": {"code": "internal", "message": "something went wrong; try again"}}


async def test_no_session_no_notifications(server_url):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_socket(server_url, None, [NS])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_socket(server_url, "forged", [NS])


async def test_profile_enriched_is_stored_with_the_change_and_then_live(api, client, db, inbox_for):
    user = await api.sign_up()
    inbox = await inbox_for(user)
    payload = ProfileEnrichedPayload(
        user_id=user.id,
        enrichment_id=uuid.uuid4(),
        resume_url="https://files.example.com/cv.pdf",
        skills_added=["Python", "SQL"],
        enriched_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )

    class Abort(Exception):
        pass

    # A rolled-back change leaves no notification and emits nothing ...
    with pytest.raises(Abort):
        async with db.transaction() as tx:
            await announce_enriched(db, tx, payload)
            raise Abort
    assert await stored(api, user) == []
    # ... a committed one is stored and delivered (the first event the socket gets is this).
    async with db.transaction() as tx:
        made = await announce_enriched(db, tx, payload)
    event, data = await inbox.next()
    assert event == "profile.enriched"
    is_notification(data, "profile.enriched")
    assert data["id"] == made.id
    assert data["payload"] == {
        "user_id": str(user.id),
        "enrichment_id": str(payload.enrichment_id),
        "resume_url": "https://files.example.com/cv.pdf",
        "skills_added": ["Python", "SQL"],
        "enriched_at": "2026-01-02T03:04:05Z",
    }
    assert await stored(api, user) == [data]
    assert msgspec.to_builtins(made) == data
