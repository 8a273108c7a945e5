"""Resume: a client that was away (disconnected, or its instance killed) reconnects to the
other instance and `sync` returns exactly what it missed, from PostgreSQL."""

from __future__ import annotations

import asyncio

from tests.messaging.live import ChatSocket, hiring, messages_of, sockets, two_instances


async def test_sync_on_the_other_instance_returns_exactly_what_was_missed(
    api, db, database_url, redis_server_url, redis_prefix
):
    chat, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with two_instances(database_url, redis_server_url, redis_prefix) as (a, b):
        async with sockets((a.url, h.recruiter)) as [recruiter]:
            candidate = await ChatSocket.connect(b.url, h.candidate)
            for i in range(2):
                await recruiter.send(conversation_id, f"seen {i}")
            seen = messages_of(await candidate.wait_for(2, "message"), conversation_id)
            await candidate.call("read", {"conversation_id": conversation_id, "seq": 2})
            await candidate.close()

            for i in range(5):
                await recruiter.send(conversation_id, f"missed {i}")
            await recruiter.call("read", {"conversation_id": conversation_id, "seq": 7})
            # A conversation started while the candidate was away is new to them.
            started = await chat.start(
                h.admin,
                [h.candidate],
                "application",
                h.application_id,
                message={"content": "welcome", "client_msg_id": "w"},
            )

        async with sockets((a.url, h.candidate)) as [back]:
            cursor = seen[-1]["seq"]
            sync = await back.call("sync", {"cursors": {conversation_id: cursor}})
            paged = await back.call("sync", {"cursors": {conversation_id: cursor}, "limit": 2})
            rest = await back.call(
                "history", {"conversation_id": conversation_id, "after": 4, "limit": 10}
            )
    assert sync["ok"] is True and sync["gone"] == [] and sync["truncated"] is False
    by_id = {c["conversation_id"]: c for c in sync["conversations"]}
    assert set(by_id) == {conversation_id, started["id"]}

    missed = by_id[conversation_id]
    assert [m["content"] for m in missed["messages"]] == [f"missed {i}" for i in range(5)]
    assert [m["seq"] for m in missed["messages"]] == [3, 4, 5, 6, 7]
    assert missed["last_seq"] == 7 and missed["more"] is False and missed["new"] is False
    assert {r["user_id"]: r["seq"] for r in missed["read"]} == {
        str(h.recruiter.id): 7,
        str(h.candidate.id): 2,
    }

    new = by_id[started["id"]]
    assert new["new"] is True and [m["content"] for m in new["messages"]] == ["welcome"]

    # Bounded: one page per conversation, and `more` says to page on through history.
    first_page = {c["conversation_id"]: c for c in paged["conversations"]}[conversation_id]
    assert [m["seq"] for m in first_page["messages"]] == [3, 4] and first_page["more"] is True
    assert [m["seq"] for m in rest["items"]] == [5, 6, 7] and rest["next"] is None


async def test_a_killed_instance_loses_no_committed_message(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    async with two_instances(database_url, redis_server_url, redis_prefix) as (a, b):
        recruiter = await ChatSocket.connect(a.url, h.recruiter)
        candidate = await ChatSocket.connect(a.url, h.candidate)
        acked = [await recruiter.send(conversation_id, f"m{i}", f"k{i}") for i in range(10)]
        # Sends still in flight when the process dies may or may not have committed.
        in_flight = [
            asyncio.ensure_future(recruiter.send(conversation_id, f"late{i}", f"late{i}"))
            for i in range(5)
        ]
        await a.kill()
        await asyncio.gather(*in_flight, return_exceptions=True)
        live = messages_of(candidate.received, conversation_id)
        await recruiter.close()
        await candidate.close()

        async with sockets((b.url, h.candidate), (b.url, h.recruiter)) as (back, sender):
            cursor = live[-1]["seq"] if live else 0
            sync = await back.call("sync", {"cursors": {conversation_id: cursor}})
            # The sender, unsure what committed, retries everything with the same ids.
            retries = [
                await sender.call(
                    "send",
                    {"conversation_id": conversation_id, "content": "retry", "client_msg_id": k},
                )
                for k in [f"k{i}" for i in range(10)] + [f"late{i}" for i in range(5)]
            ]
            history = await back.call(
                "history", {"conversation_id": conversation_id, "after": 0, "limit": 100}
            )
    [caught_up] = sync["conversations"]
    seen = live + caught_up["messages"]
    assert [m["seq"] for m in seen] == list(range(1, len(seen) + 1))  # no gap, no repeat
    assert [m for m in seen[:10]] == acked
    assert [r["message"]["client_msg_id"] for r in retries[:10]] == [f"k{i}" for i in range(10)]
    assert all(r["created"] is False for r in retries[:10])
    # Each in-flight send is stored exactly once: either before the crash or by its retry.
    stored = [m["client_msg_id"] for m in history["items"]]
    assert sorted(stored) == sorted([f"k{i}" for i in range(10)] + [f"late{i}" for i in range(5)])
    assert [m["id"] for m in history["items"][: len(seen)]] == [m["id"] for m in seen]
