"""The exact payload of each server -> client event on /chat (one test per event type).

One in-process instance is enough here: what crosses instances is tested in test_chat.py.
"""

from __future__ import annotations

import pytest

from tests.messaging.live import hiring, sockets

MESSAGE_KEYS = {
    "id",
    "conversation_id",
    "sender_id",
    "seq",
    "content",
    "attachment_url",
    "attachment_type",
    "client_msg_id",
    "sent_at",
    "rev",
    "edited_at",
    "deleted_at",
    "reactions",
    "kind",
}


@pytest.fixture
async def url(client) -> str:
    return str(client.make_url("/")).rstrip("/")


async def test_message_event_is_the_stored_message(api, db, url):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    offer = await api.upload(h.recruiter, "message_attachment", b"%PDF offer")
    async with sockets((url, h.recruiter), (url, h.candidate)) as (recruiter, candidate):
        refused = await recruiter.call(
            "send",
            {
                "conversation_id": conversation_id,
                "content": "Hello Cam",
                "attachment_url": "https://files.example.com/offer.pdf",
                "client_msg_id": "m-0",
            },
        )
        assert "ok" not in refused and refused["error"]["code"] == "invalid"
        ack = await recruiter.call(
            "send",
            {
                "conversation_id": conversation_id,
                "content": "Hello Cam",
                "attachment_url": offer["url"],
                "attachment_type": "application/pdf",
                "client_msg_id": "m-1",
            },
        )
        assert ack["ok"] is True and ack["created"] is True
        [(_, event)] = await candidate.wait_for(1, "message")
    assert set(event) == MESSAGE_KEYS
    assert event == ack["message"]
    assert (event["rev"], event["edited_at"], event["deleted_at"], event["reactions"]) == (
        0,
        None,
        None,
        [],
    )
    assert event["conversation_id"] == conversation_id
    assert event["sender_id"] == str(h.recruiter.id)
    assert event["seq"] == 1
    assert event["content"] == "Hello Cam"
    assert event["attachment_url"] == offer["url"]
    assert event["attachment_type"] == "application/pdf"
    assert event["client_msg_id"] == "m-1"
    assert event["kind"] == "text"  # a system line (an order's transition) says "system"
    assert isinstance(event["id"], str) and isinstance(event["sent_at"], str)


async def test_read_event_carries_conversation_user_and_seq(api, db, url):
    chat, h = await hiring(api, db)
    for i in range(3):
        await chat.send(h.recruiter, h.conversation, f"m{i}")
    async with sockets((url, h.recruiter), (url, h.candidate)) as (recruiter, candidate):
        ack = await candidate.call("read", {"conversation_id": h.conversation["id"], "seq": 2})
        assert ack["ok"] is True
        assert ack["read"]["last_read_seq"] == 2 and ack["read"]["unread_count"] == 1
        [(_, event)] = await recruiter.wait_for(1, "read")
    assert event == {
        "conversation_id": h.conversation["id"],
        "user_id": str(h.candidate.id),
        "seq": 2,
    }


async def test_typing_event_carries_who_where_and_how_long(api, db, url):
    _, h = await hiring(api, db)
    async with sockets((url, h.recruiter), (url, h.candidate)) as (recruiter, candidate):
        ack = await candidate.call("typing", {"conversation_id": h.conversation["id"]})
        assert ack == {"ok": True, "sent": True}
        [(_, event)] = await recruiter.wait_for(1, "typing")
    assert event == {
        "conversation_id": h.conversation["id"],
        "user_id": str(h.candidate.id),
        "expires_in_ms": 5000,
    }


async def test_conversation_events_for_created_added_and_removed(api, db, url):
    chat, h = await hiring(api, db)
    async with sockets((url, h.recruiter), (url, h.candidate), (url, h.admin)) as socks:
        recruiter, candidate, admin = socks
        started = await chat.start(
            h.candidate, [h.recruiter], "application", h.application_id, expect=200
        )
        assert started["id"] == h.conversation["id"]  # existing: no event
        group = await chat.start(h.candidate, [h.admin], "application", h.application_id)
        [(_, created)] = await admin.wait_for(1, "conversation")
        assert created == {"change": "created", "conversation_id": group["id"]}

        path = f"/api/conversations/{group['id']}/participants"
        await api.post(path, {"user_id": str(h.recruiter.id)}, as_=h.candidate, expect=201)
        [(_, added)] = await recruiter.wait_for(1, "conversation")
        assert added == {"change": "created", "conversation_id": group["id"]}
        changed = await admin.wait_for(2, "conversation")
        assert changed[1][1] == {
            "change": "participants_changed",
            "conversation_id": group["id"],
        }

        await api.delete(f"{path}/{h.admin.id}", as_=h.candidate, expect=204)
        removed = await admin.wait_for(3, "conversation")
        assert removed[2][1] == {"change": "removed", "conversation_id": group["id"]}
        # Candidate: created, participants_changed (recruiter added), participants_changed.
        mine = await candidate.wait_for(3, "conversation")
    assert [data["change"] for _, data in mine] == [
        "created",
        "participants_changed",
        "participants_changed",
    ]


async def test_the_sending_socket_gets_its_message_in_the_ack_and_its_other_tabs_as_an_event(
    api, db, url
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with sockets((url, h.recruiter), (url, h.recruiter), (url, h.candidate)) as socks:
        sending, other_tab, candidate = socks
        ack = await sending.call(
            "send", {"conversation_id": conversation_id, "content": "mine", "client_msg_id": "t"}
        )
        [(_, on_other_tab)] = await other_tab.wait_for(1, "message")
        [(_, on_candidate)] = await candidate.wait_for(1, "message")
        # A reply is the barrier: an echo to the sending socket would have come before it.
        await candidate.send(conversation_id, "reply")
        received = await sending.wait_for(1, "message")
    assert on_other_tab == on_candidate == ack["message"]
    assert [m["content"] for _, m in received] == ["reply"]
