"""Conversations and messages: the rules and transactions behind REST and live chat.

Every function takes the acting user's id and a decoded Struct, never an HTTP request, so
the REST routes and the Socket.IO handlers share one implementation, and every call checks
that the user is a participant (a non-participant is told the conversation does not exist).
Events are queued with ``tx.after_commit`` (see ``events.py``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

import asyncpg

from server.db import Database, Transaction, fetch_all
from server.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from server.messaging import schemas
from server.messaging.events import MessagingEvents, NoListeners
from server.messaging.policy import check_start
from server.messaging.ratelimit import SendLimiter
from server.messaging.resume import resume, snapshot, to_message
from server.messaging.sender import MessageWriter, Sent, outcome_of
from server.paging import decode_cursor, keyset_page
from server.uploads.refs import FileRef, require_uploads

T = TypeVar("T")
NOT_FOUND = "no such conversation"
# How long a client shows "typing…" after one typing event, unless another one renews it.
TYPING_TTL_MS = 5_000


@dataclass(frozen=True, slots=True)
class Started:
    conversation: schemas.Conversation
    created: bool  # False: the same conversation already existed and is returned as is


class MessagingService:
    def __init__(
        self,
        db: Database,
        events: MessagingEvents | None = None,
        limiter: SendLimiter | None = None,
        writer: MessageWriter | None = None,
    ):
        self.db = db
        self.q = db.q.messaging
        self.events = events or NoListeners()
        self.limiter = limiter
        # The app shares one batching writer per process (sender.py); a service made on
        # its own stores each send alone, through the same statement.
        self.writer = writer or MessageWriter(db, self.events, batching=False)

    # -- conversations ---------------------------------------------------------------------

    async def start(self, user_id: uuid.UUID, body: schemas.ConversationStart) -> Started:
        """Start a conversation the policy allows, or return the existing one with exactly
        these participants on this context; post the optional first message into it."""
        others = sorted(set(body.participant_ids) - {user_id})
        if not others:
            raise Invalid.field("participant_ids", "name someone other than yourself")
        members = [user_id, *others]
        context = body.context
        if body.message is not None:
            await self._check_rate(user_id)
            await self._check_attachment(user_id, body.message, "body.message.attachment_url")

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
                    tx.after_commit(
                        partial(self.events.conversation_started, members, conversation_id)
                    )
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
            items = await self._views(conn, page)
        return schemas.ConversationPage(items=items, next=next_cursor)

    # -- messages --------------------------------------------------------------------------

    async def send(
        self,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        body: schemas.MessageSend,
        skip_sid: str | None = None,
    ) -> Sent:
        """Store a message with the conversation's next seq, or, for a client_msg_id this
        sender already used, return the message stored then (no new row, no seq spent).

        One round trip (sender.py): the participant check, the idempotency lookup, the
        seq, the insert and the recipients are one statement, batched with concurrent
        sends. ``skip_sid``: the sending socket, answered by its ack instead of an event."""
        return await (await self.queue_send(user_id, conversation_id, body, skip_sid))

    async def queue_send(
        self,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        body: schemas.MessageSend,
        skip_sid: str | None = None,
    ) -> asyncio.Future[Sent]:
        """``send`` in two steps: the checks, then the send queued for storing; returns
        the future of the outcome. A caller that must keep its sends in order (one socket)
        queues the next only after this returns, not after the previous one is stored."""
        await self._check_rate(user_id)
        await self._check_attachment(user_id, body, "body.attachment_url")
        return self.writer.enqueue(user_id, conversation_id, body, skip_sid)

    async def history(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, query: schemas.MessageListQuery
    ) -> schemas.MessagePage:
        """Newest first below ``before`` (default: from the latest), or oldest first above
        ``after`` (catching up from the last seq a client saw)."""
        async with self.db.connection() as conn:
            state = await self.q.get_read_state(
                conn, conversation_id=conversation_id, user_id=user_id
            )
            if state is None:
                raise NotFound(NOT_FOUND)
            if query.after is not None:
                rows = await fetch_all(
                    self.q.list_messages_after,
                    conn,
                    conversation_id=conversation_id,
                    after=query.after,
                    limit=query.limit + 1,
                )
            else:
                before = query.before if query.before is not None else state["last_seq"] + 1
                rows = await fetch_all(
                    self.q.list_messages_before,
                    conn,
                    conversation_id=conversation_id,
                    before=before,
                    limit=query.limit + 1,
                )
        items = [to_message(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        return schemas.MessagePage(items=items, next=items[-1].seq if more else None)

    async def mark_read(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, body: schemas.ReadUpTo
    ) -> schemas.ReadState:
        """Move the user's "read up to" marker forward to ``body.seq``; never back."""
        async with self.db.transaction() as tx:
            await self.q.lock_conversation(tx.conn, conversation_id=conversation_id)
            state = await self.q.lock_read_state(
                tx.conn, conversation_id=conversation_id, user_id=user_id
            )
            if state is None:
                raise NotFound(NOT_FOUND)
            last_seq = state["last_seq"]
            if body.seq > last_seq:
                raise Invalid.field("seq", f"the conversation's last message is seq {last_seq}")
            last_read = state["last_read_seq"]
            moved = body.seq > last_read
            if moved:
                await self.q.set_read_marker(
                    tx.conn, conversation_id=conversation_id, user_id=user_id, seq=body.seq
                )
                last_read = body.seq
            result = schemas.ReadState(
                conversation_id=conversation_id,
                user_id=user_id,
                last_read_seq=last_read,
                last_seq=last_seq,
                unread_count=last_seq - last_read,
            )
            if moved:
                recipients = await self._participant_ids(tx.conn, user_id, conversation_id)
                tx.after_commit(partial(self.events.read_moved, recipients, result))
            return result

    async def typing(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        """Tell the other participants the user is typing (nothing is stored)."""
        async with self.db.connection() as conn:
            recipients = await self._participant_ids(conn, user_id, conversation_id)
        event = schemas.TypingEvent(
            conversation_id=conversation_id, user_id=user_id, expires_in_ms=TYPING_TTL_MS
        )
        await self.events.typing([u for u in recipients if u != user_id], event)

    # -- participants ----------------------------------------------------------------------

    async def add_participant(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, body: schemas.ParticipantAdd
    ) -> Started:
        """Add someone the conversation's context lets the caller talk to (the start policy,
        checked between the caller and the new participant). Adding a participant again
        changes nothing (``created`` is False)."""
        async with self.db.transaction() as tx:
            await self.q.lock_conversation(tx.conn, conversation_id=conversation_id)
            members = await self._participant_ids(tx.conn, user_id, conversation_id)
            if body.user_id in members:
                return Started(await self._view(tx.conn, user_id, conversation_id), False)
            origin = await self.q.get_conversation_origin(tx.conn, conversation_id=conversation_id)
            if origin["context_type"] is None:
                raise Forbidden("this conversation has no context, so nobody can be added")
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
            tx.after_commit(
                partial(
                    self.events.participants_changed,
                    [*members, body.user_id],
                    conversation_id,
                    [body.user_id],
                    [],
                )
            )
            return Started(await self._view(tx.conn, user_id, conversation_id), True)

    async def remove_participant(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, target_id: uuid.UUID
    ) -> None:
        """Leave (target is the caller), or, for the conversation's starter, remove someone.
        The removed user gets no further event of it and is answered 404 from then on."""
        async with self.db.transaction() as tx:
            await self.q.lock_conversation(tx.conn, conversation_id=conversation_id)
            members = await self._participant_ids(tx.conn, user_id, conversation_id)
            if target_id not in members:
                raise NotFound("no such participant in this conversation")
            if target_id != user_id:
                origin = await self.q.get_conversation_origin(
                    tx.conn, conversation_id=conversation_id
                )
                if origin["created_by"] != user_id:
                    raise Forbidden(
                        "only the participant who started the conversation may remove "
                        "others; anyone may leave"
                    )
            await self.q.remove_participant(
                tx.conn, conversation_id=conversation_id, user_id=target_id
            )
            tx.after_commit(
                partial(self.events.participants_changed, members, conversation_id, [], [target_id])
            )

    # -- resume ----------------------------------------------------------------------------

    async def sync(self, user_id: uuid.UUID, body: schemas.ChatSync) -> schemas.SyncResult:
        """What a reconnecting client missed (see resume.py)."""
        return await resume(self.db, user_id, body)

    # -- internals -------------------------------------------------------------------------

    async def _check_attachment(
        self, user_id: uuid.UUID, body: schemas.MessageSend, field: str
    ) -> None:
        """An attachment must be the sender's own completed ``message_attachment`` upload
        (docs/storage.md); anything else is 422 before the message is queued."""
        if body.attachment_url is None:
            return
        async with self.db.connection() as conn:
            await require_uploads(
                self.db,
                conn,
                user_id,
                [FileRef(field, body.attachment_url, "message_attachment")],
            )

    async def _check_rate(self, user_id: uuid.UUID) -> None:
        if self.limiter is not None:
            await self.limiter.check(user_id)

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
            tx.after_commit(partial(self.events.message_sent, row["recipients"], result.message))

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

    async def _participant_ids(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> list[uuid.UUID]:
        """Everyone in the conversation; 404 unless the user is one of them."""
        ids = await self.q.get_participant_ids(conn, conversation_id=conversation_id)
        if user_id not in ids:
            raise NotFound(NOT_FOUND)
        return list(ids)

    async def _view(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> schemas.Conversation:
        row = await self.q.get_conversation_for_user(
            conn, conversation_id=conversation_id, user_id=user_id
        )
        if row is None:
            raise NotFound(NOT_FOUND)
        return (await self._views(conn, [row]))[0]

    async def _views(
        self, conn: asyncpg.Connection, rows: list[asyncpg.Record]
    ) -> list[schemas.Conversation]:
        """Conversation rows (as the viewer sees them) with participants and last message."""
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
            )
            for row in rows
        ]
