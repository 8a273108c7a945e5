"""The /chat Socket.IO namespace: live conversations for connected users."""

from __future__ import annotations

from aiohttp import web

from server.realtime import AuthenticatedNamespace

NAMESPACE = "/chat"


class ChatNamespace(AuthenticatedNamespace):
    def __init__(self, app: web.Application):
        super().__init__(NAMESPACE, app)
