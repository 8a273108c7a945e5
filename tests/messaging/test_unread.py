"""The unread-conversations count (the Messages badge), per-conversation mute and the
notification settings: over REST, and the live `unread` event across two instances."""

from __future__ import annotations

import uuid

import pytest

from tests.live_events import RecordingEvents
from tests.messaging.live import ChatSocket, hiring, rest, sockets, two_instances

UNREAD = "/api/me/unread"
SETTINGS = "/api/me/notification-settings"


def mute_path(conversation: dict) -> str:
    return f"/api/conversations/{conversation['id']}/mute"


async def unread(api, user) -> int:
    return (await api.get(UNREAD, as_=user, expect=200))["conversations"]


async def test_unread_counts_conversations_with_messages_i_have_not_read(api, chat, pair):
    recruiter, candidate, conversation = pair
    assert await unread(api, candidate) == 0
    await chat.send(recruiter, conversation, "one")
    last = await chat.send(recruiter, conversation, "two")
    assert await unread(api, candidate) == 1  # conversations, not messages
    assert await unread(api, recruiter) == 0  # my own messages are read
    await chat.read(candidate, conversation, last["seq"] - 1)
    assert await unread(api, candidate) == 1
    await chat.read(candidate, conversation, last["seq"])
    assert await unread(api, candidate) == 0


async def test_a_muted_conversation_is_not_counted_and_says_so(api, chat, pair):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "hello")
    assert await api.call("PUT", mute_path(conversation), as_=candidate, expect=200) == {
        "muted": True
    }
    assert await api.call("PUT", mute_path(conversation), as_=candidate, expect=200) == {
        "muted": True
    }
    assert await unread(api, candidate) == 0
    seen = await api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert seen["muted"] is True and seen["unread_count"] == 1
    listed = await api.get("/api/conversations", as_=candidate)
    assert [c["muted"] for c in listed["items"]] == [True]
    # mute is the candidate's own: the recruiter's view is unchanged
    theirs = await api.get(f"/api/conversations/{conversation['id']}", as_=recruiter)
    assert theirs["muted"] is False

    assert await api.delete(mute_path(conversation), as_=candidate, expect=200) == {"muted": False}
    assert await api.delete(mute_path(conversation), as_=candidate, expect=200) == {"muted": False}
    assert await unread(api, candidate) == 1


async def test_only_participants_can_mute(api, pair):
    _, _, conversation = pair
    outsider = await api.sign_up()
    await api.call("PUT", mute_path(conversation), as_=outsider, expect=404)
    await api.delete(mute_path(conversation), as_=outsider, expect=404)
    await api.call("PUT", f"/api/conversations/{uuid.uuid4()}/mute", as_=outsider, expect=404)
    await api.call("PUT", "/api/conversations/not-an-id/mute", as_=outsider, expect=404)
    unverified = await api.sign_up(verified=False)
    await api.call("PUT", mute_path(conversation), as_=unverified, expect=403)
    await api.get(UNREAD, expect=401)


async def test_missed_message_emails_can_be_turned_off_and_on(api):
    user = await api.sign_up()
    assert await api.get(SETTINGS, as_=user) == {"missed_message_emails": True}
    off = {"missed_message_emails": False}
    assert await api.patch(SETTINGS, off, as_=user, expect=200) == off
    assert await api.get(SETTINGS, as_=user) == off
    await api.get(SETTINGS, expect=401)


@pytest.mark.parametrize(
    "body",
    [{}, {"missed_message_emails": "no"}, {"missed_message_emails": None}, {"other": True}],
)
async def test_bad_notification_settings_are_422_and_change_nothing(api, body):
    user = await api.sign_up()
    await api.patch(SETTINGS, body, as_=user, expect=422)
    assert await api.get(SETTINGS, as_=user) == {"missed_message_emails": True}


def collect_unread(sock: ChatSocket) -> list[int]:
    """The counts of the `unread` events ``sock`` receives, in order."""
    counts: list[int] = []

    async def on_unread(data: dict) -> None:
        assert set(data) == {"conversations"}
        counts.append(data["conversations"])
        async with sock._arrived:
            sock.received.append(("unread", data))
            sock._arrived.notify_all()

    sock.sio.on("unread", on_unread, namespace="/chat")
    return counts


async def test_unread_event_follows_sends_reads_and_mutes_on_every_tab_and_instance(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    cid = h.conversation["id"]
    # (one `with` inside another: the sockets need the instances' urls)
    async with two_instances(database_url, redis_server_url, redis_prefix) as (a, b):  # noqa: SIM117
        async with sockets((b.url, h.candidate), (a.url, h.candidate), (b.url, h.recruiter)) as (
            tab_b,
            tab_a,
            recruiter_b,
        ):
            on_b, on_a, on_recruiter = map(collect_unread, (tab_b, tab_a, recruiter_b))

            async def unread_events(sock: ChatSocket, count: int) -> None:
                await sock.wait_for(count, "unread")

            # A message from the recruiter (sent on A) makes the conversation unread: one
            # event on each of the candidate's tabs, after the message itself.
            body = {"content": "first", "client_msg_id": "m1"}
            status, first = await rest(
                a.url, "POST", f"/api/conversations/{cid}/messages", h.recruiter, body
            )
            assert status == 201
            received = await tab_b.wait_until(lambda e, d: e == "unread")
            assert [e for e, _ in received] == ["message", "unread"]
            await unread_events(tab_a, 1)
            assert on_b == on_a == [1]

            # A second message does not change the count: no event for it.
            body = {"content": "second", "client_msg_id": "m2"}
            status, second = await rest(
                a.url, "POST", f"/api/conversations/{cid}/messages", h.recruiter, body
            )
            assert status == 201
            await tab_b.wait_until(lambda e, d: e == "message" and d["seq"] == second["seq"])

            # Mute on B, unmute on A: both tabs hear each.
            status, _ = await rest(b.url, "PUT", f"/api/conversations/{cid}/mute", h.candidate)
            assert status == 200
            await unread_events(tab_a, 2)
            status, _ = await rest(a.url, "DELETE", f"/api/conversations/{cid}/mute", h.candidate)
            assert status == 200
            await unread_events(tab_a, 3)

            # Reading on one tab (a socket on B) clears the badge on the other (on A).
            ack = await tab_b.call("read", {"conversation_id": cid, "seq": second["seq"]})
            assert ack["ok"] is True
            await unread_events(tab_a, 4)
            await unread_events(tab_b, 4)
            assert on_a == on_b == [1, 0, 1, 0]
            status, summary = await rest(a.url, "GET", UNREAD, h.candidate)
            assert (status, summary) == (200, {"conversations": 0})
            # The sender's own count never moved.
            assert on_recruiter == []
            assert first["seq"] + 1 == second["seq"]


async def test_leaving_an_unread_conversation_takes_it_out_of_the_count(api, chat, pair, db):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "hello")
    assert await unread(api, candidate) == 1
    recorder = RecordingEvents.on(db)
    path = f"/api/conversations/{conversation['id']}/participants/{candidate.id}"
    await api.delete(path, as_=candidate, expect=204)
    assert await unread(api, candidate) == 0
    [event] = recorder.live("unread")
    assert list(event.user_ids) == [candidate.id]
    assert event.payload.conversations == 0
