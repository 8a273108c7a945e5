"""The /notifications Socket.IO namespace: live notifications, resume and read state.

Server → client: one event per notification, named after its type (``application.created``,
``application.status``, ``membership.*``, ``profile.enriched``), whose data is the stored
notification ``{id, type, payload, created_at, read_at}`` (events.py; emitted after the
causing change commits).

Client → server, each acknowledged (the handler's return value is the ack):
* ``sync`` ``{after}`` → ``{ok, notifications, more, unread}``: every notification with id >
  after, oldest first, up to one page; with ``more: true`` the client pages the rest through
  ``GET /api/notifications?after=``.
* ``read`` ``{id}`` → ``{ok, notification, unread}``.
Any failure acks ``{"error": {"code", "message"}}`` (``server.realtime.namespace.acked``; codes:
docs/realtime.md): a client is never left waiting.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from server import keys
from server.notifications import schemas
from server.notifications.events import NAMESPACE
from server.notifications.service import NotificationService
from server.realtime.namespace import AuthenticatedNamespace, acked


class NotificationsNamespace(AuthenticatedNamespace):
    def __init__(self, app: web.Application):
        super().__init__(NAMESPACE, app)

    def _service(self) -> NotificationService:
        return NotificationService(self.app[keys.DB])

    @acked
    async def on_sync(self, sid: str, data: Any) -> schemas.SyncResult:
        request = msgspec.convert(data or {}, schemas.SyncRequest)
        return await self._service().sync(await self.caller_id(sid), request.after)

    @acked
    async def on_read(self, sid: str, data: Any) -> schemas.ReadResult:
        request = msgspec.convert(data, schemas.ReadRequest)
        notification, unread = await self._service().mark_read(
            await self.caller_id(sid), request.id
        )
        return schemas.ReadResult(ok=True, notification=notification, unread=unread)
