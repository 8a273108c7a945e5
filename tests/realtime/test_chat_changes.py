"""Edits, deletions and reactions live across two instances, and caught up exactly by a
client that was away while they happened (issue 13)."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

from tests.messaging.live import ChatSocket, hiring, rest, sockets, two_instances

THUMBS, HEART, PARTY = "👍", "❤️", "🎉"


class ClientState:
    """What a chat client holds of one conversation, kept the way docs/messaging.md tells a
    client to: messages by seq, a seq cursor, a rev cursor moved only by sync answers (or a
    live change exactly one above it), a change applied only over an older rev."""

    def __init__(self, conversation_id: str):
        self.conversation_id = conversation_id
        self.messages: dict[int, dict] = {}
        self.seq = 0
        self.rev = 0
        self.applied: list[tuple[str, int, int]] = []  # (kind, seq, rev), in order
        self.syncs = 0

    def on_message(self, message: dict) -> None:
        assert (
            message["seq"] not in self.messages
            or message["id"] == self.messages[message["seq"]]["id"]
        )
        held = self.messages.get(message["seq"])
        if held is None or message["rev"] > held["rev"]:
            self.messages[message["seq"]] = message
        self.seq = max(self.seq, message["seq"])

    def on_changed(self, message: dict, kind: str = "live") -> None:
        # A change never comes before the message it changes.
        assert message["seq"] in self.messages, f"{kind} change to unseen seq {message['seq']}"
        self.applied.append((kind, message["seq"], message["rev"]))
        if message["rev"] > self.messages[message["seq"]]["rev"]:
            self.messages[message["seq"]] = message
        if kind == "live" and message["rev"] == self.rev + 1:
            self.rev = message["rev"]

    async def sync(self, sock: ChatSocket, limit: int = 50) -> None:
        """Catch up: sync until nothing more is missing, paging with history as told."""
        cid = self.conversation_id
        while True:
            answer = await sock.call(
                "sync", {"cursors": {cid: self.seq}, "revs": {cid: self.rev}, "limit": limit}
            )
            assert answer["ok"], answer
            self.syncs += 1
            [conv] = [c for c in answer["conversations"] if c["conversation_id"] == cid]
            revs = [m["rev"] for m in conv["changed"]]
            assert revs == sorted(revs) and all(r > self.rev for r in revs)
            assert all(m["seq"] <= self.seq for m in conv["changed"])
            for message in conv["changed"]:
                self.on_changed(message, "sync")
            for message in conv["messages"]:
                self.on_message(message)
            self.rev = revs[-1] if conv["changed_more"] else conv["last_rev"]
            if not conv["more"] and not conv["changed_more"]:
                return


def rows(messages: dict[int, dict]) -> list[dict]:
    return [messages[s] for s in sorted(messages)]


async def server_state(url: str, user, conversation_id: str) -> list[dict]:
    status, page = await rest(
        url, "GET", f"/api/conversations/{conversation_id}/messages?after=0&limit=100", user
    )
    assert status == 200, page
    return page["items"]


async def test_changes_reach_every_socket_live_across_instances(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    cid = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, b),
        sockets((a.url, h.recruiter), (b.url, h.recruiter), (b.url, h.candidate)) as [
            actor,
            actor_tab,
            candidate,
        ],
    ):
        sent = await actor.send(cid, "Helo")
        ref = {"conversation_id": cid, "message_id": sent["id"]}
        edited = await actor.call("edit", {**ref, "content": "Hello", "if_rev": 0})
        again = await actor.call("edit", {**ref, "content": "Hello", "if_rev": 0})
        reacted = await candidate.call("react", {**ref, "emoji": HEART, "on": True})
        unchanged = await candidate.call("react", {**ref, "emoji": HEART, "on": True})
        forbidden = await candidate.call("edit", {**ref, "content": "mine now"})
        deleted = await actor.call("delete", ref)
        conflict = await candidate.call("react", {**ref, "emoji": THUMBS, "on": True})

        changes = [
            d for _, d in await candidate.wait_for(2, "message_changed")
        ]  # its own reaction is in its ack
        await candidate.wait_until(lambda e, d: e == "message_changed" and d["change"] == "deleted")
        heard_by_tab = [d for e, d in await actor_tab.wait_for(3, "message_changed")]
        await actor.wait_for(1, "message_changed")
        status, tombstone = await rest(
            a.url, "GET", f"/api/conversations/{cid}/messages", h.candidate
        )

    assert edited["ok"] and edited["message"]["content"] == "Hello"
    assert edited["message"]["rev"] == 1 and edited["message"]["edited_at"]
    assert again == edited  # the retry changed nothing
    assert reacted["message"]["reactions"] == [
        {"emoji": HEART, "count": 1, "user_ids": [str(h.candidate.id)]}
    ]
    assert unchanged == reacted
    assert forbidden["error"]["code"] == "forbidden"
    assert deleted["message"]["deleted_at"] and deleted["message"]["content"] is None
    assert conflict["error"]["code"] == "conflict"

    candidate_heard = [
        (d["change"], d["message"]["rev"]) for e, d in candidate.received if e == "message_changed"
    ]
    assert candidate_heard == [("edited", 1), ("deleted", 3)]
    assert changes[0] == {"change": "edited", "message": edited["message"]}
    # The acting socket hears nothing of its own changes (its ack has them), only of the
    # candidate's reaction; its other tab hears every change.
    actor_heard = [
        (d["change"], d["message"]["rev"]) for e, d in actor.received if e == "message_changed"
    ]
    assert actor_heard == [("reaction", 2)]
    assert [(d["change"], d["message"]["rev"]) for d in heard_by_tab] == [
        ("edited", 1),
        ("reaction", 2),
        ("deleted", 3),
    ]
    assert heard_by_tab[2]["message"] == deleted["message"]
    assert status == 200 and tombstone["items"][0] == deleted["message"]


async def test_bad_change_payloads_get_an_error_ack_and_change_nothing(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    cid = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, _),
        sockets((a.url, h.recruiter), (a.url, h.admin)) as [recruiter, outsider],
    ):
        sent = await recruiter.send(cid, "as sent")
        ref = {"conversation_id": cid, "message_id": sent["id"]}
        bad: dict[str, list[Any]] = {
            "edit": [
                None,
                {**ref},
                {**ref, "content": "  "},
                {**ref, "content": "x", "if_rev": -1},
                {**ref, "content": "x", "extra": 1},
                {"conversation_id": cid, "message_id": "nope", "content": "x"},
            ],
            "delete": ["x", {"conversation_id": cid}],
            "react": [
                {**ref, "emoji": THUMBS},
                {**ref, "emoji": "🦄", "on": True},
                {**ref, "emoji": "", "on": True},
                {**ref, "emoji": THUMBS, "on": "yes"},
            ],
        }
        for event, payloads in bad.items():
            for payload in payloads:
                ack = await recruiter.call(event, payload)
                assert ack["error"]["code"] == "invalid", (event, payload, ack)
        huge = await recruiter.call("edit", {**ref, "content": "x" * 10_001})
        assert huge["error"]["code"] == "too_large"
        for event, payload in [
            ("edit", {**ref, "content": "x"}),
            ("delete", ref),
            ("react", {**ref, "emoji": THUMBS, "on": True}),
        ]:
            ack = await outsider.call(event, payload)
            assert ack["error"]["code"] == "not_found", (event, ack)
        unknown = await recruiter.call(
            "delete", {"conversation_id": cid, "message_id": str(uuid.uuid4())}
        )
        assert unknown["error"]["code"] == "not_found"
        [stored] = await server_state(a.url, h.recruiter, cid)
    assert stored == sent


async def test_one_sockets_changes_are_made_in_the_order_it_sent_them(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    cid = h.conversation["id"]
    async with (
        two_instances(database_url, redis_server_url, redis_prefix, SEND_BURST="1000") as (a, _),
        sockets((a.url, h.recruiter), (a.url, h.candidate)) as [recruiter, candidate],
    ):
        sent = await recruiter.send(cid, "v0")
        ref = {"conversation_id": cid, "message_id": sent["id"]}
        # Sent without waiting for the answers, as a double click or fast typing does.
        toggles = [
            candidate.call("react", {**ref, "emoji": THUMBS, "on": i % 2 == 0}) for i in range(9)
        ]
        edits = [recruiter.call("edit", {**ref, "content": f"v{i}"}) for i in range(1, 9)]
        acks = await asyncio.gather(*toggles, *edits)
        [final] = await server_state(a.url, h.recruiter, cid)
    assert all(ack["ok"] for ack in acks), acks
    # Every call changed something, in order: the last toggle (on) and the last edit won.
    assert final["rev"] == 17
    assert final["content"] == "v8"
    assert final["reactions"] == [{"emoji": THUMBS, "count": 1, "user_ids": [str(h.candidate.id)]}]
    assert [ack["message"]["rev"] for ack in acks[:9]] == sorted(
        ack["message"]["rev"] for ack in acks[:9]
    )


async def test_a_client_away_during_changes_on_the_other_instance_catches_up_exactly(
    api, db, database_url, redis_server_url, redis_prefix
):
    _, h = await hiring(api, db)
    cid = h.conversation["id"]
    rng = random.Random(13)
    state = ClientState(cid)
    async with two_instances(database_url, redis_server_url, redis_prefix, SEND_BURST="1000") as (
        a,
        b,
    ):
        async with sockets((a.url, h.recruiter)) as [recruiter]:
            candidate = await ChatSocket.connect(b.url, h.candidate)
            first = await state_from_start(candidate, state)
            sent = [await recruiter.send(cid, f"before {i}") for i in range(6)]
            await candidate.wait_for(len(sent), "message")
            # Live while connected: an edit and a reaction.
            await recruiter.call(
                "edit", {"conversation_id": cid, "message_id": sent[0]["id"], "content": "b0*"}
            )
            reacted = await candidate.call(
                "react",
                {"conversation_id": cid, "message_id": sent[1]["id"], "emoji": PARTY, "on": True},
            )
            await candidate.wait_for(1, "message_changed")
            apply_live(candidate, state)
            state.on_changed(reacted["message"])  # its own change, from its ack
            assert first == 0 and state.rev == 2
            await candidate.close()

            # Away: edits, deletions and reactions of held messages, new messages, and
            # changes to those new messages too, from both sides on instance A.
            candidate_on_a = await ChatSocket.connect(a.url, h.candidate)
            for step in range(30):
                target = rng.choice(sent)
                ref = {"conversation_id": cid, "message_id": target["id"]}
                kind = rng.choice(
                    ["edit", "react", "unreact", "send", "delete"]
                    if step > 5
                    else ["edit", "react", "send"]
                )
                if kind == "edit":
                    ack = await recruiter.call("edit", {**ref, "content": f"edit {step}"})
                elif kind == "delete":
                    ack = await recruiter.call("delete", ref)
                elif kind == "send":
                    sent.append(await recruiter.send(cid, f"away {step}"))
                    continue
                else:
                    ack = await candidate_on_a.call(
                        "react",
                        {**ref, "emoji": rng.choice([THUMBS, HEART]), "on": kind == "react"},
                    )
                assert ack.get("ok") or ack["error"]["code"] == "conflict", ack
            await candidate_on_a.close()

        # Back, on the other instance, with small pages so it has to page on.
        async with sockets((b.url, h.candidate)) as [back]:
            await state.sync(back, limit=3)
            final = await server_state(b.url, h.candidate, cid)
            async with db.connection() as conn:
                last_rev = await conn.fetchval(
                    "SELECT last_rev FROM conversations WHERE id = $1", uuid.UUID(cid)
                )
    assert rows(state.messages) == final
    assert state.syncs > 3  # it had to page on through the changes
    assert state.rev == last_rev and state.seq == len(final)
    synced = [(seq, rev) for kind, seq, rev in state.applied if kind == "sync"]
    assert synced and [rev for _, rev in synced] == sorted(rev for _, rev in synced)
    assert any(m["deleted_at"] for m in final) and any(m["reactions"] for m in final)


async def state_from_start(sock: ChatSocket, state: ClientState) -> int:
    """A fresh client: one sync gives it everything and the conversation's last_rev."""
    await state.sync(sock)
    return state.rev


def apply_live(sock: ChatSocket, state: ClientState) -> None:
    """Apply what the socket heard, in the order it heard it."""
    for event, data in sock.received:
        if event == "message" and data["conversation_id"] == state.conversation_id:
            state.on_message(data)
        elif event == "message_changed" and data["message"]["conversation_id"] == (
            state.conversation_id
        ):
            state.on_changed(data["message"])
