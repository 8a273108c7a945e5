"""Group commit (server/messaging/sender.py): concurrent sends stored as one batch keep every
guarantee of a send stored alone: gap-free seqs in one order, each caller its own outcome,
a client_msg_id stored once, one bad send failing alone, and a bounded queue."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from server.errors import NotFound, Unavailable
from server.messaging import schemas, sender
from server.messaging.sender import MessageWriter
from tests.live_events import RecordingEvents
from tests.messaging.live import WAIT, sockets


class Recorder(RecordingEvents):
    @property
    def messages(self) -> list[tuple[set[uuid.UUID], schemas.Message]]:
        return [(set(e.user_ids), e.payload) for e in self.live("message")]


@pytest.fixture
async def group(api, chat, hiring):
    """Four members of a company in one organization conversation."""
    others = [await api.sign_up(["employer"], full_name=f"Emp {i}") for i in range(2)]
    for user in others:
        await chat.add_member(hiring.company, hiring.admin, user, "employee")
    members = [hiring.admin, hiring.recruiter, *others]
    conversation = await chat.start(hiring.admin, members[1:], "organization", hiring.company["id"])
    return members, uuid.UUID(conversation["id"])


def body(content: str, client_msg_id: str | None = None, **fields) -> schemas.MessageSend:
    return schemas.MessageSend(content=content, client_msg_id=client_msg_id, **fields)


async def test_concurrent_sends_are_one_batch_with_gap_free_seqs_and_own_acks(db, group):
    members, conversation_id = group
    recorder = Recorder.on(db)
    writer = MessageWriter(db)
    sends = [(m, f"{i}:{j}") for j in range(10) for i, m in enumerate(members)]
    results = await asyncio.gather(
        *(writer.submit(m.id, conversation_id, body(text, f"c-{text}")) for m, text in sends)
    )
    assert writer.batches < len(sends)  # stored together, not one transaction each
    assert all(r.created for r in results)
    # Each caller got its own message back, and the seqs are 1..40 without a gap.
    for (member, text), result in zip(sends, results, strict=True):
        assert result.message.content == text and result.message.sender_id == member.id
    assert sorted(r.message.seq for r in results) == list(range(1, len(sends) + 1))
    # One sender's messages keep their order; announced once each, in seq order.
    for member in members:
        mine = [r.message.seq for (m, _), r in zip(sends, results, strict=True) if m is member]
        assert mine == sorted(mine)
    assert [m.seq for _, m in recorder.messages] == list(range(1, len(sends) + 1))
    assert all(who == {m.id for m in members} for who, _ in recorder.messages)
    async with db.connection() as conn:
        assert await conn.fetchval(
            "SELECT last_seq FROM conversations WHERE id = $1", conversation_id
        ) == len(sends)
        markers = dict(
            await conn.fetch(
                "SELECT user_id, last_read_seq FROM conversation_participants"
                " WHERE conversation_id = $1",
                conversation_id,
            )
        )
    last_of = {}
    for (member, _), result in zip(sends, results, strict=True):
        last_of[member.id] = max(last_of.get(member.id, 0), result.message.seq)
    assert markers == last_of


async def test_a_duplicate_in_one_batch_and_in_a_later_one_is_stored_and_announced_once(db, group):
    members, conversation_id = group
    recorder = Recorder.on(db)
    writer = MessageWriter(db)
    sender = members[1]
    first = await asyncio.gather(
        writer.submit(sender.id, conversation_id, body("one", "dup")),
        writer.submit(members[2].id, conversation_id, body("other", "x")),
        writer.submit(sender.id, conversation_id, body("one again", "dup")),
        writer.submit(sender.id, conversation_id, body("and again", "dup")),
    )
    later = await writer.submit(sender.id, conversation_id, body("late retry", "dup"))
    assert [r.created for r in first] == [True, True, False, False]
    assert first[2].message == first[0].message == first[3].message == later.message
    assert later.created is False
    assert sorted(r.message.seq for r in first[:2]) == [1, 2]
    assert len(recorder.messages) == 2
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 2


async def test_a_send_the_database_refuses_fails_alone(db, group):
    members, conversation_id = group
    recorder = Recorder.on(db)
    writer = MessageWriter(db)
    # Past the schema's checks (constructed, not decoded): longer than the column allows.
    bad = body("bad", "b", attachment_url="https://x.example/a", attachment_type="t" * 60)
    results = await asyncio.gather(
        writer.submit(members[0].id, conversation_id, body("fine 1", "f1")),
        writer.submit(members[1].id, conversation_id, bad),
        writer.submit(members[2].id, conversation_id, body("fine 2", "f2")),
        return_exceptions=True,
    )
    assert isinstance(results[1], asyncpg.StringDataRightTruncationError)
    assert [results[0].message.seq, results[2].message.seq] == [1, 2]
    assert [m.content for _, m in recorder.messages] == ["fine 1", "fine 2"]


async def test_an_outsider_in_a_batch_is_refused_and_the_others_are_stored(api, db, group):
    members, conversation_id = group
    outsider = await api.sign_up()
    recorder = Recorder.on(db)
    writer = MessageWriter(db)
    results = await asyncio.gather(
        writer.submit(members[0].id, conversation_id, body("in", "i1")),
        writer.submit(outsider.id, conversation_id, body("sneaky", "o1")),
        writer.submit(members[1].id, uuid.uuid4(), body("nowhere", "n1")),
        writer.submit(members[1].id, conversation_id, body("in too", "i2")),
        return_exceptions=True,
    )
    assert isinstance(results[1], NotFound) and isinstance(results[2], NotFound)
    assert [results[0].message.seq, results[3].message.seq] == [1, 2]
    assert [m.content for _, m in recorder.messages] == ["in", "in too"]


async def test_a_full_queue_refuses_at_once_and_the_queued_sends_complete(db, group):
    members, conversation_id = group
    writer = MessageWriter(db, max_pending=2)
    results = await asyncio.gather(
        *(writer.submit(members[0].id, conversation_id, body(f"m{i}", f"q{i}")) for i in range(3)),
        return_exceptions=True,
    )
    assert isinstance(results[2], Unavailable)
    assert [r.message.seq for r in results[:2]] == [1, 2]
    # The refused send stored nothing; a retry with its client_msg_id is a new message.
    retry = await writer.submit(members[0].id, conversation_id, body("m2", "q2"))
    assert retry.created and retry.message.seq == 3


async def test_concurrent_socket_sends_get_consecutive_seqs_and_their_own_acks(client, group):
    members, conversation_id = group
    url = str(client.make_url("/")).rstrip("/")
    async with sockets(*((url, m) for m in members)) as socks:
        sent = [(i, j) for j in range(5) for i in range(len(socks))]
        acks = await asyncio.gather(
            *(
                socks[i].call(
                    "send",
                    {
                        "conversation_id": str(conversation_id),
                        "content": f"{i}:{j}",
                        "client_msg_id": f"s{i}-{j}",
                    },
                )
                for i, j in sent
            )
        )
        assert [a["message"]["content"] for a in acks] == [f"{i}:{j}" for i, j in sent]
        assert sorted(a["message"]["seq"] for a in acks) == list(range(1, len(sent) + 1))
        # Everyone else's messages arrive as events, in seq order; one's own only in acks.
        for i, sock in enumerate(socks):
            received = await sock.wait_for(len(sent) - 5, "message")
            seqs = [m["seq"] for _, m in received]
            assert seqs == sorted(seqs)
            assert {m["sender_id"] for _, m in received} == {
                str(m.id) for k, m in enumerate(members) if k != i
            }
        # Nothing more comes for those sends (no echo of one's own, no copy): a message sent
        # after them reaches each socket right behind the ones counted above.
        await socks[0].send(conversation_id, "after", "after-0")
        await socks[1].send(conversation_id, "after", "after-1")
        for sock in socks:
            upto = await sock.wait_until(
                lambda event, m: event == "message" and m["content"] == "after"
            )
            assert len(upto) == len(sent) - 5 + 1


class IntervalGate:
    """``asyncio`` as server.messaging.sender sees it, except that a pause of the drain task
    (the batch interval holding sends back) lasts until the test ends it: the test decides
    when the interval is over, so nothing depends on how fast the box runs."""

    def __init__(self) -> None:
        self.holds: list[float] = []  # the pauses asked for, in seconds
        self.holding = asyncio.Event()
        self._over = asyncio.Event()

    def __getattr__(self, name: str):
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result=None):
        if delay <= 0:
            return await asyncio.sleep(delay, result)
        self.holds.append(delay)
        self.holding.set()
        await self._over.wait()
        return result

    def end_interval(self) -> None:
        self._over.set()


async def test_batches_start_an_interval_apart_under_load_and_a_lone_send_goes_at_once(
    db, group, monkeypatch
):
    members, conversation_id = group
    recorder = Recorder.on(db)
    gate = IntervalGate()
    monkeypatch.setattr(sender, "asyncio", gate)
    interval = 60.0
    writer = MessageWriter(db, interval=interval)
    # A new writer has been idle since ever: its first send is stored at once, not held.
    first = await asyncio.wait_for(
        writer.submit(members[0].id, conversation_id, body("alone")), WAIT
    )
    assert first.created and writer.batches == 1
    assert gate.holds == []
    # Sends that keep coming within the interval wait for it, and then go as one batch.
    later = [asyncio.ensure_future(writer.submit(members[1].id, conversation_id, body("0")))]
    await asyncio.wait_for(gate.holding.wait(), WAIT)
    [hold] = gate.holds
    assert 0 < hold <= interval  # what is left of the interval since the first batch began
    for i in range(1, 5):
        later.append(
            asyncio.ensure_future(writer.submit(members[1].id, conversation_id, body(f"{i}")))
        )
        await asyncio.sleep(0)  # each arrives on a later turn of the event loop
    assert writer.batches == 1 and not any(send.done() for send in later)
    gate.end_interval()
    results = await asyncio.gather(*later)
    assert writer.batches == 2
    assert [r.message.seq for r in results] == [2, 3, 4, 5, 6]
    assert [m.content for _, m in recorder.messages] == ["alone", "0", "1", "2", "3", "4"]
    assert len(gate.holds) == 1


async def test_a_sockets_sends_keep_their_order_while_handled_concurrently(client, api, group):
    """Socket events are handled concurrently (a send waiting for its commit does not hold
    up the socket's next event), but one socket's sends are stored in the order sent: here
    the first has an attachment, whose check queries the database before it is queued,
    and the plain sends right behind it must not overtake it."""
    members, conversation_id = group
    upload = await api.upload(members[0], "message_attachment", filename="first.pdf")
    url = str(client.make_url("/")).rstrip("/")
    async with sockets((url, members[0]), (url, members[1])) as (sock, reader):
        payloads = [
            {
                "conversation_id": str(conversation_id),
                "content": f"m{j}",
                "client_msg_id": f"order-{j}",
                **({"attachment_url": upload["url"]} if j == 0 else {}),
            }
            for j in range(12)
        ]
        acks = await asyncio.gather(*(sock.call("send", p) for p in payloads))
        assert [a["message"]["content"] for a in acks] == [f"m{j}" for j in range(12)]
        assert [a["message"]["seq"] for a in acks] == list(range(1, 13))
        received = await reader.wait_for(12, "message")
        assert [m["content"] for _, m in received] == [f"m{j}" for j in range(12)]
