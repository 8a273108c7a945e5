"""Notifications: stored in the transaction of the change that causes them, emitted after it.

``NotificationService.notify(tx, user_ids, type, payload)`` is the one entry point for every
domain: it inserts one row per recipient inside the caller's transaction (so a committed
change always has its notifications, STYLE.md rule 3) and emits each through that
transaction (``tx.emit``, events.py), so it leaves after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import asyncpg
import msgspec

from server.db import Database, Transaction, fetch_all
from server.errors import NotFound
from server.notifications import events, schemas
from server.paging import decode_cursor, keyset_page

NO_SUCH_NOTIFICATION = "no such notification"


def to_notification(row: asyncpg.Record) -> schemas.Notification:
    return msgspec.convert(
        {k: row[k] for k in ("id", "type", "payload", "created_at", "read_at")},
        schemas.Notification,
    )


def _id_key(row: asyncpg.Record) -> tuple:
    return (row["id"],)


class NotificationService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.notifications

    async def notify(
        self, tx: Transaction, user_ids: Iterable[uuid.UUID], type: str, payload: Any
    ) -> list[schemas.Notification]:
        """Store ``type``/``payload`` for each user in ``tx``; emit each once ``tx`` commits."""
        recipients = sorted(set(user_ids))
        if not recipients:
            return []
        # Lock before the ids are allocated: see lock_recipients in sql/notifications.
        await self.q.lock_recipients(tx.conn, user_ids=recipients)
        rows = await fetch_all(
            self.q.insert_notifications, tx.conn, user_ids=recipients, type=type, payload=payload
        )
        # Each recipient has a row of their own (their own id), so one event per user.
        stored = [(row["user_id"], to_notification(row)) for row in rows]
        tx.emit(*(events.notification(user_id, n) for user_id, n in stored))
        return [notification for _, notification in stored]

    async def list_mine(
        self, user_id: uuid.UUID, query: schemas.NotificationListQuery
    ) -> schemas.NotificationPage:
        """The user's notifications, newest first, keyset-paginated on id."""
        before = decode_cursor(query.cursor, (schemas.NotificationId,))
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_notifications,
                conn,
                user_id=user_id,
                unread=query.unread,
                after=query.after,
                before=before[0] if before else None,
                limit=query.limit + 1,  # one more than the page tells whether there is a next
            )
        page, next_cursor = keyset_page(rows, query.limit, _id_key)
        return schemas.NotificationPage(items=[to_notification(r) for r in page], next=next_cursor)

    async def sync(self, user_id: uuid.UUID, after: int) -> schemas.SyncResult:
        """What a reconnecting client missed since ``after``, oldest first, one bounded page."""
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_notifications_since,
                conn,
                user_id=user_id,
                after=after,
                limit=schemas.SYNC_LIMIT + 1,
            )
            unread = await self.q.count_unread_notifications(conn, user_id=user_id)
        return schemas.SyncResult(
            ok=True,
            notifications=[to_notification(r) for r in rows[: schemas.SYNC_LIMIT]],
            more=len(rows) > schemas.SYNC_LIMIT,
            unread=unread,
        )

    async def unread_count(self, user_id: uuid.UUID) -> schemas.UnreadCount:
        async with self.db.connection() as conn:
            return schemas.UnreadCount(
                unread=await self.q.count_unread_notifications(conn, user_id=user_id)
            )

    async def mark_read(
        self, user_id: uuid.UUID, notification_id: int
    ) -> tuple[schemas.Notification, int]:
        """Mark one of the user's notifications read; another user's is "no such" (404)."""
        async with self.db.transaction() as tx:
            row = await self.q.mark_notification_read(
                tx.conn, user_id=user_id, notification_id=notification_id
            )
            if row is None:
                raise NotFound(NO_SUCH_NOTIFICATION)
            unread = await self.q.count_unread_notifications(tx.conn, user_id=user_id)
        return to_notification(row), unread

    async def mark_read_up_to(self, user_id: uuid.UUID, up_to_id: int) -> schemas.MarkedRead:
        async with self.db.transaction() as tx:
            marked = await self.q.mark_notifications_read_up_to(
                tx.conn, user_id=user_id, up_to_id=up_to_id
            )
            unread = await self.q.count_unread_notifications(tx.conn, user_id=user_id)
        return schemas.MarkedRead(marked=marked, unread=unread)
