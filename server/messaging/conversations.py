"""Conversations: starting one (with its optional first message), reading them, and who
takes part. The rules and transactions behind REST and the /chat namespace.

Every function takes the acting user's id and a decoded Struct, never an HTTP request, and
checks that the user is a participant (a non-participant is told the conversation does not
exist). Live events are built by ``events.py`` and emitted through the unit of work
(``tx.emit``), so they leave after the commit. Messages in a conversation: ``messages.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import asyncpg

from server.db import Database, Transaction, fetch_all
from server.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from server.messaging import events, schemas
from server.messaging.messages import NOT_FOUND, MessageService, participant_ids
from server.messaging.policy import ORDER_FIXED, ORDER_LEAVE, ORDER_START, check_start
from server.messaging.resume import snapshot, to_message
from server.messaging.search import conversation_about
from server.messaging.sender import outcome_of
from server.paging import decode_cursor, keyset_page

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Started:
    conversation: schemas.Conversation
    created: bool  # False: the same conversation already existed and is returned as is


class ConversationService:
    def __init__(self, db: Database, messages: MessageService | None = None):
        self.db = db
        self.q = db.q.messaging
        # A start's first message passes the same checks as any send (rate, attachment).
        self.messages = messages or MessageService(db)

    async def start(self, user_id: uuid.UUID, body: schemas.ConversationStart) -> Started:
        """Start a conversation the policy allows, or return the existing one with exactly
        these participants on this context; post the optional first message into it."""
        others = sorted(set(body.participant_ids) - {user_id})
        if not others:
            raise Invalid.field("participant_ids", "name someone other than yourself")
        members = [user_id, *others]
        context = body.context
        if context.type == "order":
            raise Forbidden(ORDER_START)
        if body.message is not None:
            await self.messages.check_send(user_id, body.message, "body.message.attachment_url")

        async def attempt() -> Started:
            async with self.db.transaction() as tx:
                await check_start(self.db, tx.conn, user_id, others, context)
                key = f"conversation:{context.type}:{context.id}:" + ",".join(
                    sorted(str(m) for m in members)
                )
                await self.q.lock_conversation_key(tx.conn, key=key)
                conversation_id = await self.q.find_conversation(
                    tx.conn, context_type=context.type, context_id=context.id, member_ids=members
                )
                created = conversation_id is None
                if conversation_id is None:
                    conversation_id = await self.q.insert_conversation(
                        tx.conn,
                        created_by=user_id,
                        context_type=context.type,
                        context_id=context.id,
                    )
                    await self.q.insert_participants(
                        tx.conn, conversation_id=conversation_id, user_ids=members
                    )
                    tx.emit(events.conversation_started(members, conversation_id))
                if body.message is not None:
                    await self._post_first(tx, user_id, conversation_id, body.message)
                return Started(await self._view(tx.conn, user_id, conversation_id), created)

        return await self._retrying_lost_race(attempt)

    async def get(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> schemas.Conversation:
        async with self.db.connection() as conn, snapshot(conn):
            return await self._view(conn, user_id, conversation_id)

    async def list_conversations(
        self, user_id: uuid.UUID, query: schemas.ConversationListQuery
    ) -> schemas.ConversationPage:
        """The user's conversations, most recent activity first."""
        after = decode_cursor(query.cursor, (datetime, uuid.UUID))
        cursor_at, cursor_id = after if after else (None, None)
        async with self.db.connection() as conn, snapshot(conn):
            rows = await fetch_all(
                self.q.list_conversations_for_user,
                conn,
                user_id=user_id,
                cursor_at=cursor_at,
                cursor_id=cursor_id,
                limit=query.limit + 1,
            )
            page, next_cursor = keyset_page(
                rows, query.limit, lambda r: (r["activity_at"], r["id"])
            )
            items = await self._views(conn, page, user_id)
        return schemas.ConversationPage(items=items, next=next_cursor)

    # -- participants ----------------------------------------------------------------------

    async def add_participant(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, body: schemas.ParticipantAdd
    ) -> Started:
        """Add someone the conversation's context lets the caller talk to (the start policy,
        checked between the caller and the new participant). Adding a participant again
        changes nothing (``created`` is False)."""
        async with self.db.transaction() as tx:
            await self.q.lock_conversation(tx.conn, conversation_id=conversation_id)
            members = await participant_ids(self.q, tx.conn, user_id, conversation_id)
            if body.user_id in members:
                return Started(await self._view(tx.conn, user_id, conversation_id), False)
            origin = await self.q.get_conversation_origin(tx.conn, conversation_id=conversation_id)
            if origin["context_type"] is None:
                raise Forbidden("this conversation has no context, so nobody can be added")
            if origin["context_type"] == "order":
                raise Forbidden(ORDER_FIXED)
            context = schemas.ContextRef(type=origin["context_type"], id=origin["context_id"])
            try:
                await check_start(self.db, tx.conn, user_id, [body.user_id], context)
            except NotFound:
                # The caller knows the conversation; only its context is gone or hidden.
                raise Forbidden(
                    f"you may no longer add people to a conversation about this {context.type}"
                ) from None
            await self.q.add_participant(
                tx.conn, conversation_id=conversation_id, user_id=body.user_id
            )
            tx.emit(
                *events.participants_changed(
                    [*members, body.user_id], conversation_id, added=[body.user_id]
                )
            )
            # The newcomer may find unread messages there (alerts.py).
            unread = self.messages.writer.unread
            tx.after_commit(lambda: unread.announce([body.user_id]))
            return Started(await self._view(tx.conn, user_id, conversation_id), True)

    async def remove_participant(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, target_id: uuid.UUID
    ) -> None:
        """Leave (target is the caller), or, for the conversation's starter, remove someone.
        The removed user gets no further event of it and is answered 404 from then on."""
        async with self.db.transaction() as tx:
            await self.q.lock_conversation(tx.conn, conversation_id=conversation_id)
            members = await participant_ids(self.q, tx.conn, user_id, conversation_id)
            if target_id not in members:
                raise NotFound("no such participant in this conversation")
            origin = await self.q.get_conversation_origin(tx.conn, conversation_id=conversation_id)
            if origin["context_type"] == "order":
                raise Forbidden(ORDER_LEAVE)
            if target_id != user_id and origin["created_by"] != user_id:
                raise Forbidden(
                    "only the participant who started the conversation may remove "
                    "others; anyone may leave"
                )
            await self.q.remove_participant(
                tx.conn, conversation_id=conversation_id, user_id=target_id
            )
            tx.emit(*events.participants_changed(members, conversation_id, removed=[target_id]))
            # An unread conversation left behind no longer counts (alerts.py).
            unread = self.messages.writer.unread
            tx.after_commit(lambda: unread.announce([target_id]))

    # -- internals -------------------------------------------------------------------------

    async def _post_first(
        self,
        tx: Transaction,
        sender_id: uuid.UUID,
        conversation_id: uuid.UUID,
        body: schemas.MessageSend,
    ) -> None:
        """Store a start's message in the start transaction through ``send_messages``, the
        function every send goes through (one item, so no batch); announce it on commit.

        A retried start finds its message (``duplicate``) and stores nothing."""
        [row] = await fetch_all(
            self.q.send_messages,
            tx.conn,
            conversation_ids=[conversation_id],
            sender_ids=[sender_id],
            contents=[body.content],
            attachment_urls=[body.attachment_url],
            attachment_types=[body.attachment_type],
            client_msg_ids=[body.client_msg_id],
        )
        result = outcome_of(row)
        if isinstance(result, AppError):
            raise result
        if result.created:
            tx.emit(events.message_sent(row["recipients"], result.message))
            unread = self.messages.writer.unread
            base = {conversation_id: result.message.seq - 1}
            tx.after_commit(lambda: unread.announce(bases=base))

    async def _retrying_lost_race(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run a transaction; if it lost a same-client_msg_id race, run it once more.

        ``send_messages`` inserting a client_msg_id that a concurrent send into another
        conversation stored first waits for that send to commit and then fails with a
        unique violation (the transaction rolls back: nothing created, no seq spent). Run
        again, it finds that message and answers as for any reused id.
        """
        try:
            return await attempt()
        except asyncpg.UniqueViolationError:
            pass
        try:
            return await attempt()
        except asyncpg.UniqueViolationError:
            raise Conflict("another send with this client_msg_id is in progress; retry") from None

    async def _view(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> schemas.Conversation:
        row = await self.q.get_conversation_for_user(
            conn, conversation_id=conversation_id, user_id=user_id
        )
        if row is None:
            raise NotFound(NOT_FOUND)
        return (await self._views(conn, [row], user_id))[0]

    async def _views(
        self, conn: asyncpg.Connection, rows: list[asyncpg.Record], viewer_id: uuid.UUID
    ) -> list[schemas.Conversation]:
        """Conversation rows (as the viewer sees them) with participants, last message and
        what each is about."""
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        participants: dict[uuid.UUID, list[schemas.Participant]] = {i: [] for i in ids}
        for p in await fetch_all(self.q.list_participants, conn, conversation_ids=ids):
            participants[p["conversation_id"]].append(
                schemas.Participant(
                    id=p["id"], full_name=p["full_name"], last_read_seq=p["last_read_seq"]
                )
            )
        last_messages = {
            m["conversation_id"]: to_message(m)
            for m in await fetch_all(self.q.list_last_messages, conn, conversation_ids=ids)
        }
        about = await conversation_about(self.db, conn, viewer_id, ids)
        return [
            schemas.Conversation(
                id=row["id"],
                context=(
                    schemas.ContextRef(type=row["context_type"], id=row["context_id"])
                    if row["context_type"] is not None
                    else None
                ),
                created_by=row["created_by"],
                created_at=row["created_at"],
                last_seq=row["last_seq"],
                last_message_at=row["last_message_at"],
                participants=participants[row["id"]],
                last_message=last_messages.get(row["id"]),
                unread_count=row["last_seq"] - row["last_read_seq"],
                about=about.get(row["id"]),
                muted=row["muted"],
                last_rev=row["last_rev"],
            )
            for row in rows
        ]
