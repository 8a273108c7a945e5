"""Reaching people who are not looking at the chat: the unread-conversations count (the
Messages badge) and its live ``unread`` event, per-conversation mute, and the per-user
missed-message email setting with its one-click unsubscribe (the emails: missed.py).

When the count is sent (docs/messaging.md, "Unread count and mute"): after a read marker
moves, after a mute or unmute, and after being added to or removed from a conversation, to
the user; after a batch of sends, only to the
participants whose count the batch raised: those who had read everything before it (and
have not muted it). A participant who already had unread messages there still counts the
conversation once, so a busy conversation sends one ``unread`` event when it becomes
unread, not one per message. Counts are read after the commit, so each reflects every
change committed before it; the browser also refetches ``GET /api/me/unread`` on every
(re)connect.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable, Mapping

from server.db import Database, fetch_all
from server.errors import NotFound
from server.logs import shared_task
from server.messaging import events, schemas
from server.messaging.unsubscribe import unsubscribe_user

log = logging.getLogger("rizeos.messaging")

NOT_FOUND = "no such conversation"
MUTED_LISTED = 200
# After sends, counts are worked out at most this often per process: under load one query
# then covers the batches of the whole interval (a badge may lag a send by this much).
SENDS_INTERVAL_S = 0.1


class UnreadCounts:
    """Counts unread conversations after a commit and sends each user theirs."""

    def __init__(self, db: Database):
        self.db = db
        self._bases: dict[uuid.UUID, int] = {}
        self._task: asyncio.Task | None = None

    async def announce(
        self, user_ids: Iterable[uuid.UUID] = (), bases: Mapping[uuid.UUID, int] | None = None
    ) -> None:
        """Send ``unread`` to ``user_ids`` and to whoever the sends above each conversation's
        base (its last_seq before them) made newly unread. Call after the commit."""
        q = self.db.q.messaging
        users = set(user_ids)
        async with self.db.autocommit() as unit:
            if bases:
                ids = list(bases)
                rows = await fetch_all(
                    q.list_newly_unread,
                    unit.conn,
                    conversation_ids=ids,
                    bases=[bases[i] for i in ids],
                )
                users.update(row["user_id"] for row in rows)
            if not users:
                return
            counts = await fetch_all(
                q.count_unread_conversations, unit.conn, user_ids=sorted(users)
            )
            unit.emit(*(events.unread_changed(r["user_id"], r["conversations"]) for r in counts))

    def after_sends(self, bases: Mapping[uuid.UUID, int]) -> None:
        """``announce`` for a stored batch, in the background: the send path never waits
        for it, and the batches stored within SENDS_INTERVAL_S share one count."""
        for conversation_id, base in bases.items():
            known = self._bases.get(conversation_id)
            self._bases[conversation_id] = base if known is None else min(known, base)
        if self._task is None:
            self._task = shared_task(self._drain(), name="messaging-unread-counts")

    async def _drain(self) -> None:
        try:
            while self._bases:
                await asyncio.sleep(SENDS_INTERVAL_S)
                bases, self._bases = self._bases, {}
                try:
                    await self.announce(bases=bases)
                except Exception:
                    # The badge is a hint: the next change, or a reconnect, corrects it.
                    log.exception("counting unread conversations failed")
        finally:
            self._task = None

    async def close(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)


class AlertService:
    def __init__(self, db: Database, unread: UnreadCounts):
        self.db = db
        self.q = db.q.messaging
        self.unread = unread

    async def unread_summary(self, user_id: uuid.UUID) -> schemas.UnreadSummary:
        async with self.db.statement() as conn:
            [row] = await fetch_all(self.q.count_unread_conversations, conn, user_ids=[user_id])
        return schemas.UnreadSummary(conversations=row["conversations"])

    async def set_muted(
        self, user_id: uuid.UUID, conversation_id: uuid.UUID, muted: bool
    ) -> schemas.MuteState:
        """Mute (no toast, no email, out of the badge) or unmute; idempotent."""
        async with self.db.transaction() as tx:
            state = await self.q.set_muted(
                tx.conn, conversation_id=conversation_id, user_id=user_id, muted=muted
            )
            if state is None:
                raise NotFound(NOT_FOUND)
            tx.after_commit(lambda: self.unread.announce([user_id]))
        return schemas.MuteState(muted=state)

    async def muted_conversations(self, user_id: uuid.UUID) -> list:
        async with self.db.statement() as conn:
            return await fetch_all(
                self.q.list_muted_conversations, conn, user_id=user_id, limit=MUTED_LISTED
            )

    async def settings(self, user_id: uuid.UUID) -> schemas.NotificationSettings:
        async with self.db.statement() as conn:
            enabled = await self.q.get_missed_message_emails(conn, user_id=user_id)
        if enabled is None:
            raise NotFound("no such user")
        return schemas.NotificationSettings(missed_message_emails=enabled)

    async def update_settings(
        self, user_id: uuid.UUID, body: schemas.NotificationSettings
    ) -> schemas.NotificationSettings:
        async with self.db.statement() as conn:
            enabled = await self.q.set_missed_message_emails(
                conn, user_id=user_id, enabled=body.missed_message_emails
            )
        if enabled is None:
            raise NotFound("no such user")
        return schemas.NotificationSettings(missed_message_emails=enabled)

    async def unsubscribe(self, secret_key: str, token: str) -> bool:
        """Turn missed-message emails off for the token's user; False for a bad token."""
        user_id = unsubscribe_user(secret_key, token)
        if user_id is None:
            return False
        try:
            await self.update_settings(
                user_id, schemas.NotificationSettings(missed_message_emails=False)
            )
        except NotFound:
            return False
        return True
