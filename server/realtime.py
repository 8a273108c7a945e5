"""The Socket.IO server: attached to the aiohttp app, authenticated like REST, fanned out by user.

One process serves REST, Socket.IO and pages. With ``REDIS_URL`` set, emits reach sockets
on every instance through Redis; without it, fan-out is in-process (one instance). Every
socket joins ``user:<id>`` and ``session:<id>`` rooms at connect; services address users,
never sockets (see server/events.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

import msgspec
import socketio
from aiohttp import web
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from server import keys
from server.api import Caller
from server.auth.middleware import SESSION_COOKIE, caller_for_token
from server.config import Settings
from server.events import user_room

log = logging.getLogger("rizeos.realtime")

MAX_PACKET_BYTES = 64 * 1024


class _MsgspecJson:
    """python-socketio's ``json=`` hook: msgspec encodes Structs, UUIDs and datetimes
    natively and faster than the standard library."""

    _encoder = msgspec.json.Encoder()
    _decoder = msgspec.json.Decoder()
    JSONDecodeError = msgspec.DecodeError

    @classmethod
    def dumps(cls, obj: Any, **_: Any) -> str:
        return cls._encoder.encode(obj).decode()

    @classmethod
    def loads(cls, data: str | bytes, **_: Any) -> Any:
        return cls._decoder.decode(data)


def session_room(session_id: uuid.UUID | str) -> str:
    return f"session:{session_id}"


def create_manager(settings: Settings, *, write_only: bool = False) -> socketio.AsyncManager:
    if settings.redis_url:
        return socketio.AsyncRedisManager(
            settings.redis_url, channel=settings.redis_prefix, write_only=write_only
        )
    if write_only:
        raise RuntimeError("emitting from another process needs REDIS_URL")
    return socketio.AsyncManager()


def create_sio(settings: Settings) -> socketio.AsyncServer:
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=create_manager(settings),
        json=_MsgspecJson,
        # One client's events are handled in the order they arrive (send order matters).
        async_handlers=False,
        max_http_buffer_size=MAX_PACKET_BYTES,
        # None: only same-origin browser pages may open a cookie-authenticated socket.
        cors_allowed_origins=None,
        logger=False,
        engineio_logger=False,
    )


class SocketIOEvents:
    """``server.events.Events`` over the Socket.IO server's client manager."""

    def __init__(self, sio: socketio.AsyncServer):
        self.sio = sio

    async def to_users(
        self,
        user_ids: Iterable[uuid.UUID],
        namespace: str,
        event: str,
        payload: Any,
        *,
        best_effort: bool = False,
    ) -> None:
        rooms = sorted({user_room(u) for u in user_ids})
        if rooms:
            await self.sio.emit(event, payload, to=rooms, namespace=namespace)


async def authenticate(app: web.Application, environ: dict, auth: Any) -> Caller:
    """The caller behind a connecting socket: ``auth: {token}`` or the session cookie."""
    token = auth.get("token") if isinstance(auth, dict) else None
    via_cookie = False
    if not isinstance(token, str) or not token:
        request: web.Request | None = environ.get("aiohttp.request")
        token = request.cookies.get(SESSION_COOKIE) if request is not None else None
        via_cookie = True
    if not token:
        raise SocketRefused("authentication required", {"code": "unauthorized"})
    caller = await caller_for_token(app, token, via_cookie=via_cookie)
    if caller is None:
        raise SocketRefused("session unknown, expired or revoked", {"code": "unauthorized"})
    return caller


class AuthenticatedNamespace(socketio.AsyncNamespace):
    """A namespace whose sockets belong to a logged-in user and sit in that user's rooms."""

    def __init__(self, namespace: str, app: web.Application):
        super().__init__(namespace)
        self.app = app

    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        caller = await authenticate(self.app, environ, auth)
        await self.save_session(sid, {"user_id": caller.user_id, "session_id": caller.session_id})
        await self.enter_room(sid, user_room(caller.user_id))
        await self.enter_room(sid, session_room(caller.session_id))

    async def caller_id(self, sid: str) -> uuid.UUID:
        return (await self.get_session(sid))["user_id"]


async def realtime_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    sio = app[keys.SIO]
    manager = sio.manager
    # Close Redis connections of the pub/sub manager, if any, so shutdown leaks nothing.
    redis = getattr(manager, "redis", None)
    if redis is not None:
        await redis.aclose()
