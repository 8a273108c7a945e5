"""The messaging service called directly, as the Socket.IO handlers will call it: events are
queued for after the commit, and a lost same-client_msg_id race spends no seq (a lost race
in a start creates nothing)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from server.errors import Conflict, NotFound
from server.messaging import schemas
from server.messaging.conversations import ConversationService
from server.messaging.messages import MessageService
from tests.live_events import RecordingEvents
from tests.waits import wait_for_lock_waiters


class Recorder(RecordingEvents):
    """What the messaging services emitted, as (event, recipients, payload); the per-user
    `unread` counts (some sent in the background after a send) are test_unread.py's."""

    @property
    def heard(self) -> list[tuple[str, set[uuid.UUID], object]]:
        return [
            (
                event.name,
                set(event.user_ids),
                event.payload.conversation_id if event.name == "conversation" else event.payload,
            )
            for event in self.live()
            if event.name != "unread"
        ]


class Services:
    """Both messaging services, made as the routes make them."""

    def __init__(self, db) -> None:
        messages = MessageService(db)
        conversations = ConversationService(db, messages)
        self.start = conversations.start
        self.send = messages.send
        self.mark_read = messages.mark_read


def start_body(others, context_type, context_id, **message) -> schemas.ConversationStart:
    return schemas.ConversationStart(
        participant_ids=[u.id for u in others],
        context=schemas.ContextRef(type=context_type, id=context_id),
        message=schemas.MessageSend(**message) if message else None,
    )


async def test_events_are_announced_to_every_participant_after_commit(db, hiring):
    recorder = Recorder.on(db)
    service = Services(db)
    people = {hiring.recruiter.id, hiring.candidate.id}
    body = start_body([hiring.candidate], "application", hiring.application_id, content="Hi")
    started = await service.start(hiring.recruiter.id, body)
    conversation_id = started.conversation.id
    assert [(kind, who) for kind, who, _ in recorder.heard] == [
        ("conversation", people),
        ("message", people),
    ]
    assert recorder.heard[0][2] == conversation_id
    assert recorder.heard[1][2] == started.conversation.last_message

    recorder.clear()
    sent = await service.send(
        hiring.candidate.id,
        conversation_id,
        schemas.MessageSend(content="Hello", client_msg_id="k"),
    )
    await service.mark_read(hiring.recruiter.id, conversation_id, schemas.ReadUpTo(seq=2))
    assert recorder.heard == [
        ("message", people, sent.message),
        (
            "read",
            people,
            schemas.ReadEvent(conversation_id=conversation_id, user_id=hiring.recruiter.id, seq=2),
        ),
    ]


async def test_nothing_is_announced_when_nothing_changed(db, hiring):
    recorder = Recorder.on(db)
    service = Services(db)
    body = start_body([hiring.candidate], "application", hiring.application_id)
    conversation_id = (await service.start(hiring.recruiter.id, body)).conversation.id
    message = schemas.MessageSend(content="once", client_msg_id="once")
    await service.send(hiring.recruiter.id, conversation_id, message)
    await service.mark_read(hiring.candidate.id, conversation_id, schemas.ReadUpTo(seq=1))
    recorder.clear()

    again = await service.start(
        hiring.candidate.id, start_body([hiring.recruiter], "application", hiring.application_id)
    )
    assert not again.created
    retry = await service.send(hiring.recruiter.id, conversation_id, message)
    assert not retry.created
    await service.mark_read(hiring.candidate.id, conversation_id, schemas.ReadUpTo(seq=0))
    assert recorder.heard == []


async def test_refused_and_rolled_back_changes_are_never_announced(api, db, hiring):
    recorder = Recorder.on(db)
    service = Services(db)
    outsider = await api.sign_up()
    body = start_body([hiring.candidate], "application", hiring.application_id)
    conversation_id = (await service.start(hiring.recruiter.id, body)).conversation.id
    recorder.clear()
    with pytest.raises(NotFound):
        await service.send(outsider.id, conversation_id, schemas.MessageSend(content="x"))
    with pytest.raises(NotFound):
        await service.mark_read(outsider.id, conversation_id, schemas.ReadUpTo(seq=0))
    assert recorder.heard == []


async def test_losing_a_same_client_msg_id_race_returns_the_winner_and_spends_no_seq(db, hiring):
    recorder = Recorder.on(db)
    service = Services(db)
    body = start_body([hiring.candidate], "application", hiring.application_id)
    conversation_id = (await service.start(hiring.recruiter.id, body)).conversation.id
    message = schemas.MessageSend(content="exactly once", client_msg_id="race")
    recorder.clear()
    async with db.connection() as blocker:
        # Hold the conversation's row lock so both sends queue on it; the first one through
        # inserts, the second must return that message and spend no seq.
        lock = blocker.transaction()
        await lock.start()
        await blocker.execute(
            "SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE", conversation_id
        )
        sends = [
            asyncio.ensure_future(service.send(hiring.recruiter.id, conversation_id, message))
            for _ in range(2)
        ]
        await wait_for_lock_waiters(blocker, 2)
        await lock.rollback()
        results = await asyncio.gather(*sends)
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].message == results[1].message
    assert results[0].message.seq == 1
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT last_seq FROM conversations") == 1
        assert await conn.fetchval("SELECT count(*) FROM messages") == 1
        marker = await conn.fetchval(
            "SELECT last_read_seq FROM conversation_participants WHERE user_id = $1",
            hiring.recruiter.id,
        )
    assert marker == 1
    assert [kind for kind, _, _ in recorder.heard] == ["message"]


async def test_a_start_losing_a_client_msg_id_race_to_another_conversation_creates_nothing(
    db, hiring
):
    recorder = Recorder.on(db)
    service = Services(db)
    pair = start_body([hiring.recruiter], "application", hiring.application_id)
    elsewhere = (await service.start(hiring.candidate.id, pair)).conversation.id
    recorder.clear()
    group = start_body(
        [hiring.recruiter, hiring.admin],
        "application",
        hiring.application_id,
        content="Hello both",
        client_msg_id="race",
    )
    async with db.connection() as other:
        # Another send with the same client_msg_id, into another conversation, is in flight:
        # the start's insert waits for it on the unique index, then loses.
        send = other.transaction()
        await send.start()
        await other.execute(
            "SELECT * FROM send_messages($1::uuid[], $2::uuid[], ARRAY['first'],"
            " ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY['race'])",
            [elsewhere],
            [hiring.candidate.id],
        )
        start = asyncio.ensure_future(service.start(hiring.candidate.id, group))
        await wait_for_lock_waiters(other, 1)
        await send.commit()
        with pytest.raises(Conflict):
            await start
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM conversations") == 1
        assert await conn.fetchval("SELECT count(*) FROM messages") == 1
    assert recorder.heard == []
