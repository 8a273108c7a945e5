"""Changes to stored messages: edits, deletions and reactions (issue 13).

Each is a change of its conversation, ordered like its messages: under the conversation's
row lock (taken first, as every writer of the conversation does) a change that changes
something bumps ``conversations.last_rev`` and stamps the message with the new value, and
one ``message_changed`` event leaves after the commit. A change that would change nothing
(a retried edit with the same content, a second delete, a reaction already there) writes
nothing, bumps nothing and emits nothing, so retries are safe. Each change is one round
trip: one call of the stored function ``change_message`` (sql/messaging/functions.sql) in
its own implicit transaction, answering an outcome this service maps to an error or an
event. A client that was away learns every change to the messages it holds through
``sync`` (resume.py), oldest first.

Rules (docs/messaging.md): only participants see a conversation (others get 404, as for
an unknown one); only the sender edits or deletes (403 for other participants); edits
within ``MESSAGE_EDIT_WINDOW_SECONDS`` of sending; a deleted message is a tombstone that
can no longer be edited or reacted to (409), and a system line (system.py) is never
edited, deleted or reacted to (409); reactions from a fixed set (reactions.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import msgspec

from server.db import Database, fetch_all
from server.errors import Conflict, Forbidden, NotFound
from server.messaging import events, schemas
from server.messaging.messages import NOT_FOUND
from server.messaging.reactions import canonical_emoji
from server.ratelimit import TokenBucket

NO_MESSAGE = "no such message"
DEFAULT_EDIT_WINDOW_SECONDS = 86_400


class ChangeService:
    def __init__(
        self,
        db: Database,
        limiter: TokenBucket | None = None,
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
        return await self._change(
            user_id,
            conversation_id,
            message_id,
            "edit",
            "edited",
            skip_sid,
            content=body.content,
            if_rev=body.if_rev,
        )

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
        return await self._change(
            user_id, conversation_id, message_id, "delete", "deleted", skip_sid
        )

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
        return await self._change(
            user_id,
            conversation_id,
            message_id,
            "react" if on else "unreact",
            "reaction",
            skip_sid,
            emoji=emoji,
        )

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

    async def _change(
        self,
        user_id: uuid.UUID,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        action: str,
        change: schemas.MessageChange,
        skip_sid: str | None,
        content: str | None = None,
        emoji: str | None = None,
        if_rev: int | None = None,
    ) -> schemas.Message:
        """One call of the stored function ``change_message`` (sql/messaging/functions.sql),
        its own implicit transaction: it locks the conversation, reads the participants and
        the message after the lock, checks the rules in the order documented above, and
        makes the change only when it changes something. A change is announced to every
        participant once it has committed; an outcome that is an error wrote nothing."""
        async with self.db.autocommit() as unit:
            row = await self.q.change_message(
                unit.conn,
                conversation_id=conversation_id,
                message_id=message_id,
                actor=user_id,
                action=action,
                content=content,
                emoji=emoji,
                if_rev=if_rev,
                edit_window=self.edit_window,
            )
            outcome = row["outcome"]
            if outcome == "changed":
                message = self._message(row)
                unit.emit(events.message_changed(list(row["members"]), change, message, skip_sid))
                return message
        if outcome == "unchanged":
            return self._message(row)
        if outcome == "not_found":
            raise NotFound(NOT_FOUND)  # as for a conversation that does not exist
        if outcome == "no_message":
            raise NotFound(NO_MESSAGE)
        if outcome == "system":
            raise Conflict("a system line cannot be edited, deleted or reacted to")
        if outcome == "forbidden":
            verb = "edit" if action == "edit" else "delete"
            raise Forbidden(f"only its sender can {verb} a message")
        if outcome == "deleted":
            raise Conflict("the message was deleted")
        if outcome == "stale":
            raise Conflict(f"the message changed since (its rev is {row['rev']}, not {if_rev})")
        if outcome == "too_late":
            raise Conflict(
                f"a message can be edited for {self.edit_window.total_seconds():g} "
                "seconds after it is sent"
            )
        raise RuntimeError(f"change_message answered an unknown outcome {outcome!r}")

    @staticmethod
    def _message(row: asyncpg.Record) -> schemas.Message:
        data = dict(row)
        del data["outcome"], data["members"]
        if data["reactions"] is None:  # never reacted to (SQL NULL, not [])
            del data["reactions"]
        return msgspec.convert(data, schemas.Message)

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
