"""Live chat across two real server instances sharing PostgreSQL and Redis.

Absence ("receives nothing") is shown without sleeping: after the events a socket must
not get, something it must get is sent on the same instance, and when that arrives
everything before it has been delivered (one Redis channel delivers in publish order).
"""

from __future__ import annotations

import asyncio
import uuid

from tests.messaging.live import hiring, messages_of, rest, sockets, two_instances


async def test_messages_sent_on_a_reach_a_participant_on_b_in_seq_order(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.recruiter), (b.url, h.candidate)) as (recruiter, candidate),
    ):
        acks = await asyncio.gather(
            *(recruiter.send(conversation_id, f"message {i}") for i in range(20))
        )
        received = messages_of(await candidate.wait_for(20, "message"), conversation_id)
    assert [m["seq"] for m in received] == list(range(1, 21))
    # One client's sends are handled in the order it emitted them.
    assert [m["content"] for m in received] == [f"message {i}" for i in range(20)]
    assert received == sorted(acks, key=lambda m: m["seq"])


async def test_a_duplicate_client_msg_id_is_delivered_once(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.recruiter), (b.url, h.recruiter), (b.url, h.candidate)) as socks,
    ):
        on_a, on_b, candidate = socks
        first = await on_a.call(
            "send", {"conversation_id": conversation_id, "content": "once", "client_msg_id": "x1"}
        )
        # The retry comes from another tab on the other instance, with other content.
        retry = await on_b.call(
            "send", {"conversation_id": conversation_id, "content": "twice", "client_msg_id": "x1"}
        )
        assert first["created"] is True and retry["created"] is False
        assert retry["message"] == first["message"]
        await on_a.send(conversation_id, "after", "x2")
        upto = await candidate.wait_until(lambda e, d: e == "message" and d["content"] == "after")
    assert [m["client_msg_id"] for m in messages_of(upto, conversation_id)] == ["x1", "x2"]


async def test_an_outsider_is_refused_everything_and_hears_nothing(
    api, db, database_url, redis_server_url, redis_prefix
):
    chat, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    outsider = await api.sign_up(["freelancer"])
    # The outsider's own conversation with the recruiter carries the closing sentinel.
    own = await chat.start(h.recruiter, [outsider], "gig", await chat.gig(outsider))
    await chat.send(h.recruiter, h.conversation, "before")
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.recruiter), (b.url, h.candidate), (b.url, outsider)) as socks,
    ):
        recruiter, candidate, intruder = socks
        calls = {
            "send": {"conversation_id": conversation_id, "content": "hi", "client_msg_id": "o"},
            "history": {"conversation_id": conversation_id},
            "read": {"conversation_id": conversation_id, "seq": 1},
            "typing": {"conversation_id": conversation_id},
        }
        for event, payload in calls.items():
            ack = await intruder.call(event, payload)
            assert ack["error"]["code"] == "not_found", (event, ack)
        sync = await intruder.call("sync", {"cursors": {conversation_id: 0}})
        assert sync["ok"] is True and sync["gone"] == [conversation_id]
        assert [c["conversation_id"] for c in sync["conversations"]] == [own["id"]]

        await recruiter.send(conversation_id, "private")
        await candidate.call("typing", {"conversation_id": conversation_id})
        await candidate.call("read", {"conversation_id": conversation_id, "seq": 2})
        await recruiter.send(own["id"], "sentinel")
        heard = await intruder.wait_until(lambda e, d: d.get("content") == "sentinel")
    assert heard == [("message", heard[-1][1])]
    assert await chat.counts() == {
        "conversations": 2,
        "conversation_participants": 4,
        "messages": 3,
    }


async def test_typing_reaches_the_other_participant_and_is_coalesced(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.candidate), (b.url, h.recruiter)) as (candidate, recruiter),
    ):
        # Best-effort: a burst of keystrokes becomes few events; the ack says which went out.
        acks = [
            await candidate.call("typing", {"conversation_id": conversation_id}) for _ in range(5)
        ]
        assert acks[0] == {"ok": True, "sent": True}
        assert all(ack["ok"] is True for ack in acks)
        await candidate.send(conversation_id, "sentinel")
        heard = await recruiter.wait_until(lambda e, d: d.get("content") == "sentinel")
        # The sending socket gets its message in the ack, not as an event: the reply is
        # the candidate's sentinel (any typing echo would have been queued before it).
        await recruiter.send(conversation_id, "sentinel back")
        mine = await candidate.wait_until(lambda e, d: d.get("content") == "sentinel back")
    typing = [data for event, data in heard if event == "typing"]
    assert len(typing) == sum(ack["sent"] for ack in acks)
    assert all(t["user_id"] == str(h.candidate.id) for t in typing)
    assert "typing" not in [event for event, _ in mine]  # not echoed to the typist


async def test_read_markers_move_forward_only_and_reach_the_other_side(
    api, db, database_url, redis_server_url, redis_prefix
):
    chat, h = await hiring(api, db)
    for i in range(5):
        await chat.send(h.recruiter, h.conversation, f"m{i}")
    conversation_id = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.candidate), (b.url, h.recruiter)) as (candidate, recruiter),
    ):
        moved = await candidate.call("read", {"conversation_id": conversation_id, "seq": 3})
        back = await candidate.call("read", {"conversation_id": conversation_id, "seq": 1})
        assert moved["read"]["last_read_seq"] == 3 and back["read"]["last_read_seq"] == 3
        beyond = await candidate.call("read", {"conversation_id": conversation_id, "seq": 99})
        assert beyond["error"]["code"] == "invalid"
        await candidate.call("read", {"conversation_id": conversation_id, "seq": 5})
        reads = await recruiter.wait_for(2, "read")
    assert [data["seq"] for _, data in reads] == [3, 5]
    view = await chat.api.get(f"/api/conversations/{conversation_id}", as_=h.recruiter)
    assert {p["id"]: p["last_read_seq"] for p in view["participants"]}[str(h.candidate.id)] == 5


async def test_the_send_rate_limit_is_shared_by_both_instances(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    # A bucket of 5 that takes 100 s to earn one more send: the count is exact.
    limits = {"SEND_BURST": "5", "SEND_RATE_PER_SECOND": "0.01"}
    async with (
        two_instances(database_url, redis_server_url, redis_prefix, **limits) as (a, b),
        sockets((a.url, h.recruiter)) as [recruiter],
    ):
        acks = [
            await recruiter.call(
                "send",
                {"conversation_id": conversation_id, "content": "spam", "client_msg_id": f"s{i}"},
            )
            for i in range(6)
        ]
        # The bucket lives in Redis: the other instance refuses the same user over REST.
        status, problem = await rest(
            b.url,
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            h.recruiter,
            {"content": "more spam"},
        )
    assert [ack.get("ok") for ack in acks[:5]] == [True] * 5
    assert acks[5]["error"]["code"] == "rate_limited", acks[5]
    assert status == 429, problem
    assert problem["status"] == 429


async def test_a_message_sent_over_rest_on_a_is_delivered_live_on_b(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((b.url, h.candidate)) as [candidate],
    ):
        status, sent = await rest(
            a.url,
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            h.recruiter,
            {"content": "over REST", "client_msg_id": "r1"},
        )
        assert status == 201, sent
        [(_, message)] = await candidate.wait_for(1, "message")
    assert message == sent


async def test_a_removed_participant_stops_receiving_and_is_refused(
    api, db, database_url, redis_server_url, redis_prefix
):
    chat, h = await hiring(api, db)
    group = await chat.start(h.candidate, [h.recruiter, h.admin], "application", h.application_id)
    # The admin's own conversation with the candidate carries the closing sentinel.
    own = await chat.start(h.candidate, [h.admin], "application", h.application_id)
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.recruiter), (b.url, h.admin), (a.url, h.candidate)) as socks,
    ):
        recruiter, admin, candidate = socks
        await recruiter.send(group["id"], "to all three")
        await admin.wait_until(lambda e, d: d.get("content") == "to all three")
        status, _ = await rest(
            a.url,
            "DELETE",
            f"/api/conversations/{group['id']}/participants/{h.admin.id}",
            h.candidate,
        )
        assert status == 204
        await recruiter.send(group["id"], "after the removal")
        await candidate.call("typing", {"conversation_id": group["id"]})
        await candidate.send(own["id"], "sentinel")
        heard = await admin.wait_until(lambda e, d: d.get("content") == "sentinel")
        for event in ("history", "typing", "sync"):
            payload = {"conversation_id": group["id"]} if event != "sync" else {}
            ack = await admin.call(event, payload)
            if event == "sync":
                assert group["id"] not in [c["conversation_id"] for c in ack["conversations"]]
            else:
                assert ack["error"]["code"] == "not_found", ack
        refused = await admin.call(
            "send", {"conversation_id": group["id"], "content": "x", "client_msg_id": "late"}
        )
        assert refused["error"]["code"] == "not_found"
    after = heard[[d.get("content") for _, d in heard].index("to all three") + 1 :]
    assert after == [
        ("conversation", {"change": "removed", "conversation_id": group["id"]}),
        ("message", after[-1][1]),
    ]
    assert after[-1][1]["conversation_id"] == own["id"]


async def test_invalid_payloads_are_answered_with_an_error_ack(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, _),
        sockets((a.url, h.recruiter)) as [recruiter],
    ):
        bad = {
            "send": [
                None,
                "text",
                {"conversation_id": conversation_id, "content": "no id"},
                {"conversation_id": "nope", "content": "x", "client_msg_id": "1"},
                {"conversation_id": conversation_id, "content": " ", "client_msg_id": "1"},
                {"conversation_id": conversation_id, "client_msg_id": "1", "extra": 1},
            ],
            "history": [{"conversation_id": conversation_id, "before": 2, "after": 1}],
            "read": [{"conversation_id": conversation_id, "seq": -1}],
            "sync": [{"cursors": {"not-a-uuid": 1}}, {"cursors": {conversation_id: "x"}}],
            "typing": [{}],
        }
        for event, payloads in bad.items():
            for payload in payloads:
                ack = await recruiter.call(event, payload)
                assert ack["error"]["code"] == "invalid", (event, payload, ack)
                assert ack["error"]["message"]
        huge = await recruiter.call(
            "send",
            {"conversation_id": conversation_id, "content": "x" * 10_001, "client_msg_id": "2"},
        )
        assert huge["error"]["code"] == "too_large"
        unknown = await recruiter.call(
            "send", {"conversation_id": str(uuid.uuid4()), "content": "x", "client_msg_id": "3"}
        )
        assert unknown["error"]["code"] == "not_found"
