"""The Socket.IO server: attached to the aiohttp app, authenticated like REST, fanned out by
user through the ``RealtimeManager`` (and, with ``REDIS_URL``, the Redis bus).

One process serves REST, Socket.IO and pages. Every socket joins ``user:<id>`` and
``session:<id>`` rooms at connect (``namespace.AuthenticatedNamespace``); services address
users, never sockets (``contract.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import socketio
from aiohttp import web

from server import keys
from server.config import Settings
from server.metrics.families import UNCOUNTED, Metrics
from server.realtime.bus import RedisBus
from server.realtime.engine import LeanEngineServer
from server.realtime.manager import RealtimeManager

log = logging.getLogger("rizeos.realtime")

MAX_PACKET_BYTES = 64 * 1024
# The event name an EVENT packet gets when its payload cannot be read (see ``Packet``); the
# namespaces answer it with an ``invalid`` ack (``namespace.AuthenticatedNamespace``).
UNDECODABLE_EVENT = "\0undecodable"


class MsgspecJson:
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


class Packet(socketio.packet.Packet):
    """Socket.IO packets whose EVENT payload cannot be read (malformed JSON, text msgspec
    refuses such as a lone surrogate ``"\\ud800"``, or not ``[name, ...args]``) still reach
    the namespace, as ``[UNDECODABLE_EVENT, reason]`` with their ack id, so the caller gets
    an ``invalid`` ack instead of no answer (python-socketio would log the error and drop
    the packet)."""

    json = MsgspecJson

    def decode(self, encoded_packet: Any) -> int:
        try:
            attachments = super().decode(encoded_packet)
        except (msgspec.DecodeError, json.JSONDecodeError, UnicodeError) as exc:
            if self.packet_type != socketio.packet.EVENT:
                raise
            self.data = [UNDECODABLE_EVENT, f"the payload is not valid JSON: {exc}"]
            return 0
        if self.packet_type == socketio.packet.EVENT and not (
            isinstance(self.data, list) and self.data and isinstance(self.data[0], str)
        ):
            self.data = [UNDECODABLE_EVENT, "an event is a list: [name, ...arguments]"]
        return attachments


class SocketServer(socketio.AsyncServer):
    """python-socketio on the leaner engine.io of ``engine.py``."""

    def _engineio_server_class(self) -> type:
        return LeanEngineServer


def create_manager(settings: Settings, metrics: Metrics = UNCOUNTED) -> RealtimeManager:
    if settings.redis_url:
        return RealtimeManager(RedisBus(settings.redis_url, settings.redis_prefix, metrics=metrics))
    return RealtimeManager()


def create_sio(settings: Settings, metrics: Metrics = UNCOUNTED) -> socketio.AsyncServer:
    """``metrics``: the app's, which the Redis bus counts into (its lag)."""
    return SocketServer(
        async_mode="aiohttp",
        client_manager=create_manager(settings, metrics),
        serializer=Packet,
        json=MsgspecJson,
        # Each event is handled in its own task, so a socket whose send waits for its commit
        # still has its next event read and handled. Where order matters (a socket's chat
        # sends), the handler queues them in arrival order itself (messaging/namespace.py).
        async_handlers=True,
        max_http_buffer_size=MAX_PACKET_BYTES,
        # None: only same-origin browser pages may open a cookie-authenticated socket.
        cors_allowed_origins=None,
        logger=False,
        engineio_logger=False,
    )


def redis_bus(app: web.Application) -> RedisBus | None:
    """The app's fan-out bus (None without Redis). Its client, on one bounded pool, is the
    process's Redis client: other users of Redis in the web process (the send rate limiter)
    borrow it rather than open pools of their own."""
    manager: RealtimeManager = app[keys.SIO].manager
    return manager.bus


async def realtime_ctx(app: web.Application) -> AsyncIterator[None]:
    manager: RealtimeManager = app[keys.SIO].manager
    await manager.start()
    yield
    await manager.close()


async def close_sockets(app: web.Application) -> None:
    """On shutdown (SIGTERM, a rolling restart): close every engine.io connection at once,
    before aiohttp waits for its handlers. A WebSocket's handler otherwise runs as long as the
    client stays, so the instance sat out the whole SHUTDOWN_TIMEOUT (15 s) before stopping,
    and only then cut its clients off. Closed at the engine.io level only, with no namespace
    DISCONNECT: the client takes it as a lost transport and reconnects (behind a balancer, to
    another instance: docs/deploy.md), and catches up on what it missed (docs/realtime.md).
    Not waiting for the client to take the CLOSE packet (engine.py, ``LeanSocket.close``)."""
    eio = app[keys.SIO].eio
    for socket in list(eio.sockets.values()):
        try:
            await socket.close(wait=False, reason=eio.reason.TRANSPORT_CLOSE)
        except Exception:
            log.exception("closing a socket on shutdown failed")
