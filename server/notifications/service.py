"""Notifications: stored in the transaction of the change that causes them, emitted after it.

``NotificationService.notify(tx, user_ids, type, payload)`` is the one entry point for every
domain: it inserts one row per recipient inside the caller's transaction (so a committed
change always has its notifications, STYLE.md rule 3) and queues the live event with
``tx.after_commit``. The live event on /notifications is named after the type and carries the
stored notification, so a live client and one that catches up later (REST or ``sync``) see
exactly the same object, with the id to resume from.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterable
from typing import Any

import asyncpg
import msgspec
from aiohttp import web

from server import keys
from server.db import Database, Transaction, fetch_all
from server.errors import NotFound
from server.events import Events
from server.notifications import schemas
from server.paging import decode_cursor, keyset_page

log = logging.getLogger("rizeos.notifications")

NAMESPACE = "/notifications"
PROFILE_ENRICHED = "profile.enriched"
NO_SUCH_NOTIFICATION = "no such notification"


def to_notification(row: asyncpg.Record) -> schemas.Notification:
    return msgspec.convert(
        {k: row[k] for k in ("id", "type", "payload", "created_at", "read_at")},
        schemas.Notification,
    )


def _id_key(row: asyncpg.Record) -> tuple:
    return (row["id"],)


class NotificationService:
    def __init__(self, db: Database, events: Events):
        self.db = db
        self.events = events
        self.q = db.q.notifications

    @classmethod
    def for_app(cls, app: web.Application) -> NotificationService:
        return cls(app[keys.DB], app[keys.EVENTS])

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
        stored = [(row["user_id"], to_notification(row)) for row in rows]
        tx.after_commit(functools.partial(self._emit, type, stored))
        return [notification for _, notification in stored]

    async def profile_enriched(
        self, tx: Transaction, payload: schemas.ProfileEnrichedPayload
    ) -> schemas.Notification:
        """For the enrichment worker (issue 5): call inside the transaction that merges the
        enrichment into the profile; the user is told once it commits."""
        [notification] = await self.notify(tx, [payload.user_id], PROFILE_ENRICHED, payload)
        return notification

    async def _emit(self, type: str, stored: list[tuple[uuid.UUID, schemas.Notification]]) -> None:
        # Each recipient has a row of their own (their own id), so one emit per user. A failed
        # emit loses nothing: the row is committed and the client fetches it on resume.
        for user_id, notification in stored:
            try:
                await self.events.to_users(
                    [user_id], NAMESPACE, type, msgspec.to_builtins(notification)
                )
            except Exception:
                log.exception("emitting notification %s failed", notification.id)

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
