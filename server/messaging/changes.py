"""Changes to stored messages: edits, deletions and reactions (issue 13).

Each is a change of its conversation, ordered like its messages: under the conversation's
row lock (taken first, as every writer of the conversation does) a change that changes
something bumps ``conversations.last_rev`` and stamps the message with the new value, and
one ``message_changed`` event leaves after the commit. A change that would change nothing
(a retried edit with the same content, a second delete, a reaction already there) writes
nothing, bumps nothing and emits nothing, so retries are safe. A client that was away
learns every change to the messages it holds through ``sync`` (resume.py), oldest first.

Rules (docs/messaging.md): only participants see a conversation (others get 404, as for
an unknown one); only the sender edits or deletes (403 for other participants); edits
within ``MESSAGE_EDIT_WINDOW_SECONDS`` of sending; a deleted message is a tombstone that
can no longer be edited or reacted to (409); reactions from a fixed set (reactions.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg

from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, Forbidden, NotFound
from server.messaging import events, schemas
from server.messaging.messages import NOT_FOUND
from server.messaging.ratelimit import SendLimiter
from server.messaging.reactions import canonical_emoji
from server.messaging.resume import to_message

NO_MESSAGE = "no such message"
DEFAULT_EDIT_WINDOW_SECONDS = 86_400


class ChangeService:
    def __init__(
        self,
        db: Database,
        limiter: SendLimiter | None = None,
        edit_window_seconds: int = DEFAULT_EDIT_WINDOW_SECONDS,
    ):
        self.db = db
        self.q = db.q.messaging
        # Changes count against the send limit: one bucket per user, however they write.
        self.limiter = limiter
        self.edit_window = timedelta(seconds=edit_window_seconds)

    async def edit(
        self,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        body: schemas.MessageEdit,
        skip_sid: str | None = None,
    ) -> schemas.Message:
        """Replace the content of the user's own message; the version it replaces is kept
        for the sender (``list_edits``). The same content again changes nothing."""
        await self._take_token(user_id)
        async with self.db.transaction() as tx:
            members, row = await self._lock_message(tx, user_id, conversation_id, message_id)
            if row["sender_id"] != user_id:
                raise Forbidden("only its sender can edit a message")
            if row["deleted_at"] is not None:
                raise Conflict("the message was deleted")
            if row["content"] == body.content:
                return await self._unchanged(tx.conn, message_id)
            if body.if_rev is not None and body.if_rev != row["rev"]:
                raise Conflict(
                    f"the message changed since (its rev is {row['rev']}, not {body.if_rev})"
                )
            if row["now"] - row["sent_at"] > self.edit_window:
                raise Conflict(
                    f"a message can be edited for {self.edit_window.total_seconds():g} "
                    "seconds after it is sent"
                )
            changed = await self.q.edit_message(
                tx.conn,
                conversation_id=conversation_id,
                message_id=message_id,
                content=body.content,
                previous=row["content"],  # None for an attachment-only message: no version
                written_at=row["edited_at"] or row["sent_at"],
            )
            return self._changed(tx, members, changed, "edited", skip_sid)

    async def delete(
        self,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        skip_sid: str | None = None,
    ) -> schemas.Message:
        """Make the user's own message a tombstone: content, attachment, edit history and
        reactions gone for everyone; its seq stays. Deleting it again changes nothing."""
        await self._take_token(user_id)
        async with self.db.transaction() as tx:
            members, row = await self._lock_message(tx, user_id, conversation_id, message_id)
            if row["sender_id"] != user_id:
                raise Forbidden("only its sender can delete a message")
            if row["deleted_at"] is not None:
                return await self._unchanged(tx.conn, message_id)
            changed = await self.q.delete_message(
                tx.conn, conversation_id=conversation_id, message_id=message_id
            )
            return self._changed(tx, members, changed, "deleted", skip_sid)

    async def react(
        self,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        emoji: str,
        on: bool,
        skip_sid: str | None = None,
        field: str = "emoji",
    ) -> schemas.Message:
        """Add (``on``) or take back the user's reaction; any participant may react. Adding
        one already there, or taking back one that is not, changes nothing."""
        emoji = canonical_emoji(emoji, field)
        await self._take_token(user_id)
        async with self.db.transaction() as tx:
            members, row = await self._lock_message(tx, user_id, conversation_id, message_id)
            if row["deleted_at"] is not None:
                if on:
                    raise Conflict("the message was deleted")
                return await self._unchanged(tx.conn, message_id)  # its reactions went with it
            params: dict[str, Any] = {"message_id": message_id, "user_id": user_id, "emoji": emoji}
            if on:
                done = await self.q.insert_reaction(tx.conn, **params)
            else:
                done = await self.q.delete_reaction(tx.conn, **params)
            if done is None:
                return await self._unchanged(tx.conn, message_id)
            changed = await self.q.stamp_message(
                tx.conn, conversation_id=conversation_id, message_id=message_id
            )
            return self._changed(tx, members, changed, "reaction", skip_sid)

    async def list_edits(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> schemas.MessageEdits:
        """The versions edits replaced, oldest first: the sender's own view."""
        async with self.db.connection() as conn:
            row = await self._target(conn, user_id, conversation_id, message_id)
            if row["sender_id"] != user_id:
                raise Forbidden("only its sender sees a message's earlier versions")
            rows = await fetch_all(self.q.list_message_edits, conn, message_id=message_id)
        return schemas.MessageEdits(
            message_id=message_id,
            items=[
                schemas.PreviousVersion(
                    content=r["content"], written_at=r["written_at"], replaced_at=r["replaced_at"]
                )
                for r in rows
            ],
        )

    # -- internals -------------------------------------------------------------------------

    async def _take_token(self, user_id: uuid.UUID) -> None:
        if self.limiter is not None:
            await self.limiter.check(user_id)

    async def _lock_message(
        self,
        tx: Transaction,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
    ) -> tuple[list[uuid.UUID], asyncpg.Record]:
        """Lock the conversation (every writer of it does so first), then, in a statement
        of its own so it reads what committed before the lock: the participants and the
        message. 404 unless the user is in the conversation and the message in it."""
        await self.q.lock_conversation(tx.conn, conversation_id=conversation_id)
        row = await self._target(tx.conn, user_id, conversation_id, message_id)
        return list(row["members"]), row

    async def _target(
        self,
        conn: asyncpg.Connection,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
    ) -> asyncpg.Record:
        row = await self.q.get_change_target(
            conn, conversation_id=conversation_id, message_id=message_id
        )
        if user_id not in row["members"]:
            raise NotFound(NOT_FOUND)  # as for a conversation that does not exist
        if row["id"] is None:
            raise NotFound(NO_MESSAGE)
        return row

    async def _unchanged(self, conn: asyncpg.Connection, message_id: uuid.UUID) -> schemas.Message:
        return to_message(await self.q.get_message(conn, message_id=message_id))

    def _changed(
        self,
        tx: Transaction,
        members: list[uuid.UUID],
        row: asyncpg.Record,
        change: schemas.MessageChange,
        skip_sid: str | None,
    ) -> schemas.Message:
        """The message as the change left it, announced to every participant on commit."""
        message = to_message(row)
        tx.emit(events.message_changed(members, change, message, skip_sid))
        return message
