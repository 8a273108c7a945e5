"""The /notifications Socket.IO namespace: live notifications for connected users."""

from __future__ import annotations

from aiohttp import web

from server.realtime import AuthenticatedNamespace

NAMESPACE = "/notifications"


class NotificationsNamespace(AuthenticatedNamespace):
    def __init__(self, app: web.Application):
        super().__init__(NAMESPACE, app)
