"""Messages in a conversation: sending (through the batching writer), history, read
markers, typing and resuming. The rules behind REST and the /chat namespace.

Every function takes the acting user's id and a decoded Struct, never an HTTP request, and
checks that the user is a participant (a non-participant is told the conversation does not
exist). Live events are built by ``events.py`` and emitted through the unit of work, so they
leave after the commit. Conversations themselves: ``conversations.py``.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg

from server.db import Database, fetch_all
from server.errors import Invalid, NotFound
from server.messaging import events, schemas
from server.messaging.resume import resume, to_message
from server.messaging.sender import MessageWriter, Sent
from server.ratelimit import TokenBucket
from server.uploads.refs import FileRef, require_uploads

NOT_FOUND = "no such conversation"
# How long a client shows "typing…" after one typing event, unless another one renews it.
TYPING_TTL_MS = 5_000


async def participant_ids(
    q: Any, conn: asyncpg.Connection, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[uuid.UUID]:
    """Everyone in the conversation; 404 unless the user is one of them."""
    ids = await q.get_participant_ids(conn, conversation_id=conversation_id)
    if user_id not in ids:
        raise NotFound(NOT_FOUND)
    return list(ids)


class MessageService:
    def __init__(
        self,
        db: Database,
        limiter: TokenBucket | None = None,
        writer: MessageWriter | None = None,
    ):
        self.db = db
        self.q = db.q.messaging
        self.limiter = limiter
        # The app shares one batching writer per process (sender.py); a service made on
        # its own stores each send alone, through the same statement.
        self.writer = writer or MessageWriter(db, batching=False)

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
        await self.check_send(user_id, body, "body.attachment_url")
        return self.writer.enqueue(user_id, conversation_id, body, skip_sid)

    async def history(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, query: schemas.MessageListQuery
    ) -> schemas.MessagePage:
        """Newest first below ``before`` (default: from the latest), oldest first above
        ``after`` (catching up from the last seq a client saw), or the page around a seq,
        oldest first (opening a conversation at a search result)."""
        async with self.db.connection() as conn:
            state = await self.q.get_read_state(
                conn, conversation_id=conversation_id, user_id=user_id
            )
            if state is None:
                raise NotFound(NOT_FOUND)
            if query.around is not None:
                return await self._around(conn, conversation_id, query.around, query.limit)
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

    async def _around(
        self, conn: asyncpg.Connection, conversation_id: uuid.UUID, seq: int, limit: int
    ) -> schemas.MessageAroundPage:
        """Up to ``limit`` messages around ``seq``: it and the older half below it, the newer
        half above it (more of one side where the other runs out), oldest first."""
        older = await fetch_all(
            self.q.list_messages_before,
            conn,
            conversation_id=conversation_id,
            before=seq + 1 if seq < schemas.MAX_SEQ else seq,
            limit=limit + 1,
        )
        newer = await fetch_all(
            self.q.list_messages_after,
            conn,
            conversation_id=conversation_id,
            after=seq,
            limit=limit + 1,
        )
        newer_count = min(len(newer), max(limit - len(older), limit // 2))
        older_count = min(len(older), limit - newer_count)
        kept_older, kept_newer = older[:older_count], newer[:newer_count]
        items = [to_message(row) for row in [*reversed(kept_older), *kept_newer]]
        return schemas.MessageAroundPage(
            items=items,
            older=items[0].seq if items and len(older) > older_count else None,
            newer=items[-1].seq if items and len(newer) > newer_count else None,
        )

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
                recipients = await participant_ids(self.q, tx.conn, user_id, conversation_id)
                tx.emit(events.read_moved(recipients, result))
                # The reader's unread count, on all of their tabs (alerts.py).
                tx.after_commit(lambda: self.writer.unread.announce([user_id]))
            return result

    async def typing(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        """Tell the other participants the user is typing (nothing is stored)."""
        async with self.db.autocommit() as unit:
            recipients = await participant_ids(self.q, unit.conn, user_id, conversation_id)
            event = schemas.TypingEvent(
                conversation_id=conversation_id, user_id=user_id, expires_in_ms=TYPING_TTL_MS
            )
            unit.emit(events.typing(recipients, user_id, event))

    async def sync(self, user_id: uuid.UUID, body: schemas.ChatSync) -> schemas.SyncResult:
        """What a reconnecting client missed (see resume.py)."""
        return await resume(self.db, user_id, body)

    # -- checks ----------------------------------------------------------------------------

    async def check_send(self, user_id: uuid.UUID, body: schemas.MessageSend, field: str) -> None:
        """What a send must pass before it is queued: the sender's rate limit (429), and an
        attachment must be the sender's own completed ``message_attachment`` upload
        (docs/storage.md; 422 naming ``field`` otherwise)."""
        if self.limiter is not None:
            await self.limiter.check(user_id)
        if body.attachment_url is None:
            return
        async with self.db.connection() as conn:
            await require_uploads(
                self.db,
                conn,
                user_id,
                [FileRef(field, body.attachment_url, "message_attachment")],
            )
