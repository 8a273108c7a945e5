"""The Socket.IO server: attached to the aiohttp app, authenticated like REST, fanned out by user.

One process serves REST, Socket.IO and pages. With ``REDIS_URL`` set, emits reach sockets
on every instance through Redis; without it, fan-out is in-process (one instance). Every
socket joins ``user:<id>`` and ``session:<id>`` rooms at connect; services address users,
never sockets (see server/events.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
import socketio
from aiohttp import web
from engineio import packet as eio_packet

from server import keys
from server.config import Settings
from server.events import NoEvents, session_room, user_room
from server.fanout import (
    HEARTBEAT_EVERY,
    RedisBus,
    RedisEmitter,
    encode_event,
    parse_node_message,
    split_node_messages,
)

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


# Per-socket engine.io queues are unbounded; these bound what one slow reader can hold.
# Above the soft limit best-effort events (typing, presence) are skipped for that socket;
# above the hard limit its transport is aborted (the client reconnects and resumes from
# PostgreSQL). Counted in packets: a packet is at most MAX_PACKET_BYTES.
SLOW_SOFT_LIMIT = 256
SLOW_HARD_LIMIT = 2048
USER_ROOM_PREFIX = user_room("")
RESYNC_EVENT = "resync"

PresenceHook = Callable[[uuid.UUID, bool], Awaitable[None]]


@dataclass
class DeliveryStats:
    delivered: int = 0
    skipped_slow_best_effort: int = 0
    cut_off_slow: int = 0
    resyncs: int = 0


class RealtimeManager(socketio.AsyncManager):
    """Delivers emits to local sockets and, with a ``RedisBus``, to the nodes holding the
    recipients. Counts each user's sockets for presence (in Redis across nodes)."""

    def __init__(self, bus: RedisBus | None = None):
        super().__init__()
        self.bus = bus
        self.presence: dict[str, int] = {}  # user id -> this node's sockets (all namespaces)
        self._user_of: dict[tuple[str, str], str] = {}  # (namespace, sid) -> user id
        self.presence_hooks: list[PresenceHook] = []
        self.stats = DeliveryStats()
        self._presence_dirty = False
        self._hook_tasks: set[asyncio.Task] = set()

    # lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self.bus is None:
            return
        await self._heartbeat_once()
        self.bus.start(
            self.bus.listen(self._on_node_message, self._on_control, self._resync_local),
            self._heartbeat_loop(),
        )

    async def close(self) -> None:
        # Detach first: sockets still closing during shutdown must not write presence
        # for a node that has already withdrawn it.
        bus, self.bus = self.bus, None
        if bus is None:
            return
        try:
            await bus.leave()
        except Exception:  # Redis gone: the heartbeat TTL clears this node's presence
            log.warning("could not withdraw presence at shutdown", exc_info=True)
        await bus.close()

    # presence ----------------------------------------------------------------------------
    async def enter_room(self, sid, namespace, room, eio_sid=None):
        self.basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        key = (namespace, sid)
        if isinstance(room, str) and room.startswith(USER_ROOM_PREFIX) and key not in self._user_of:
            user = room[len(USER_ROOM_PREFIX) :]
            self._user_of[key] = user
            # Awaited before connect returns: the client's resume query comes after this
            # node is registered for the user, so no live event falls in between.
            await self._count(user, +1)

    async def disconnect(self, sid, namespace, **kwargs):
        self.basic_disconnect(sid, namespace, **kwargs)
        user = self._user_of.pop((namespace, sid), None)
        if user is not None:
            await self._count(user, -1)

    async def _count(self, user: str, delta: int) -> None:
        before = self.presence.get(user, 0)
        after = before + delta
        if after > 0:
            self.presence[user] = after
        else:
            self.presence.pop(user, None)
        if self.bus is None:
            if (before == 0) != (after == 0):
                self._presence_changed(user, after > 0)
            return
        try:
            # Writes may complete out of order over several pooled connections: write again
            # until what Redis holds is this node's current count.
            while True:
                count = self.presence.get(user, 0)
                total_before, total_after = await self.bus.set_presence(user, count)
                if self.presence.get(user, 0) == count:
                    break
        except Exception:
            log.warning("presence write failed; re-publishing on the next heartbeat")
            self._presence_dirty = True
            return
        if (total_before == 0) != (total_after == 0):
            self._presence_changed(user, total_after > 0)

    def _presence_changed(self, user: str, online: bool) -> None:
        for hook in self.presence_hooks:
            task = asyncio.ensure_future(hook(uuid.UUID(user), online))
            self._hook_tasks.add(task)
            task.add_done_callback(self._hook_done)

    def _hook_done(self, task: asyncio.Task) -> None:
        self._hook_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("presence hook failed", exc_info=task.exception())

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        users = sorted({str(u) for u in user_ids})
        if self.bus is None:
            return {uuid.UUID(u) for u in users if u in self.presence}
        try:
            return {uuid.UUID(u) for u in await self.bus.online(users)}
        except Exception as exc:  # presence is best-effort: fall back to this node's view
            log.warning("presence read failed (%s)", exc)
            return {uuid.UUID(u) for u in users if u in self.presence}

    async def _heartbeat_once(self) -> None:
        if self.bus is None:  # closed
            return
        try:
            registered = await self.bus.heartbeat()
            if not registered or self._presence_dirty:
                # Redis restarted, or this node was swept, or a presence write failed: write
                # every local count again, then have local sockets fetch what they missed.
                self._presence_dirty = False
                snapshot = dict(self.presence)
                await self.bus.republish_presence(snapshot)
                if snapshot != self.presence:
                    self._presence_dirty = True
                await self._resync_local()
            for user in await self.bus.sweep():
                self._presence_changed(user, False)
        except Exception as exc:
            self._presence_dirty = True
            log.warning("heartbeat failed (%s)", exc)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            await self._heartbeat_once()

    # delivery ----------------------------------------------------------------------------
    async def to_users(
        self,
        user_ids: Iterable[uuid.UUID],
        namespace: str,
        event: str,
        payload: Any,
        best_effort: bool,
        skip_sid: str | None = None,
    ) -> None:
        users = sorted({str(u) for u in user_ids})
        if not users:
            return
        packet = encode_event(namespace, event, payload)
        # skip_sid is a local socket (the one whose call caused the event, answered by its
        # ack), so it only matters here; the other nodes never hold it.
        skip = {skip_sid} if skip_sid is not None else None
        await self._deliver_local(
            namespace, [user_room(u) for u in users], packet, best_effort, skip
        )
        if self.bus is not None:
            await self.bus.route(namespace, users, packet, best_effort=best_effort)

    async def emit(
        self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs
    ):
        """``sio.emit``: user rooms are routed to the nodes holding them, a local sid stays
        local, anything else is delivered locally and broadcast to the other nodes."""
        room = to or room
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            socketio.packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        if callback is not None or not isinstance(encoded, str):
            # Acks and binary attachments stay on this node (neither is used across nodes).
            return await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback
            )
        rooms = None if room is None else [room] if isinstance(room, str) else list(room)
        skip = set(skip_sid if isinstance(skip_sid, list) else [skip_sid])
        await self._deliver_local(namespace, rooms, encoded, False, skip)
        if self.bus is None:
            return
        users = [r[len(USER_ROOM_PREFIX) :] for r in rooms or () if r.startswith(USER_ROOM_PREFIX)]
        others = (
            None
            if rooms is None
            else [
                r
                for r in rooms
                if not r.startswith(USER_ROOM_PREFIX) and not self.is_sid_room(namespace, r)
            ]
        )
        if users:
            await self.bus.route(namespace, users, encoded, best_effort=False)
        if others is None or others:
            message = {
                "op": "emit",
                "ns": namespace,
                "rooms": others,
                "pkt": encoded,
                "skip": sorted(s for s in skip if s),
            }
            await self.bus.broadcast(message)

    async def _deliver_local(
        self,
        namespace: str,
        rooms: list[str] | None,
        packet: str,
        best_effort: bool,
        skip: set | None = None,
    ) -> None:
        if namespace not in self.rooms or rooms == []:
            return
        targets = [
            eio_sid
            for sid, eio_sid in self.get_participants(namespace, rooms)
            if not skip or sid not in skip
        ]
        if targets:
            await self._send(targets, packet, best_effort)

    async def _send(self, eio_sids: list[str], packet: str, best_effort: bool) -> None:
        # One engine.io packet shared by every recipient, and no task per recipient: the
        # queue put does not block, so a plain loop is the cheapest delivery.
        pkt = eio_packet.Packet(eio_packet.MESSAGE, packet)
        sockets = self.server.eio.sockets
        for eio_sid in eio_sids:
            sock = sockets.get(eio_sid)
            if sock is None or sock.closed:
                continue
            backlog = sock.queue.qsize()
            if backlog >= SLOW_HARD_LIMIT:
                self._cut_off(eio_sid, backlog)
                continue
            if best_effort and backlog >= SLOW_SOFT_LIMIT:
                self.stats.skipped_slow_best_effort += 1
                continue
            await sock.send(pkt)
            self.stats.delivered += 1

    def _cut_off(self, eio_sid: str, backlog: int) -> None:
        request = self.server.environ.get(eio_sid, {}).get("aiohttp.request")
        transport = request.transport if request is not None else None
        if transport is None or transport.is_closing():
            return
        # Abort, not close: a close would wait to flush the very backlog that is the problem.
        transport.abort()
        self.stats.cut_off_slow += 1
        log.warning("cut off a slow consumer holding %d queued packets", backlog)

    async def _on_node_message(self, data: str) -> None:
        for message in split_node_messages(data):
            namespace, best_effort, users, packet = parse_node_message(message)
            await self._deliver_local(namespace, [user_room(u) for u in users], packet, best_effort)

    async def _on_control(self, message: dict) -> None:
        if message.get("op") == "disconnect":
            await self.disconnect_room_local(message["room"])
        elif message.get("op") == "emit":
            await self._deliver_local(
                message["ns"], message["rooms"], message["pkt"], False, set(message["skip"])
            )

    async def _resync_local(self) -> None:
        """After a gap in the subscription or in presence, every local socket may have missed
        events; tell each one to fetch from its cursor (the data is in PostgreSQL)."""
        self.stats.resyncs += 1
        for namespace in list(self.rooms):
            await self._deliver_local(
                namespace, None, encode_event(namespace, RESYNC_EVENT, {}), False
            )

    # revocation --------------------------------------------------------------------------
    async def disconnect_room(self, room: str) -> None:
        await self.disconnect_room_local(room)
        if self.bus is not None:
            await self.bus.broadcast({"op": "disconnect", "room": room})

    async def disconnect_room_local(self, room: str) -> None:
        eio_sids = set()
        for namespace in list(self.rooms):
            for sid, eio_sid in list(self.get_participants(namespace, room)):
                eio_sids.add(eio_sid)
                # A namespace DISCONNECT first: the client treats it as final, not as a
                # network blip to reconnect from.
                await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        for eio_sid in eio_sids:
            await self.server.eio.disconnect(eio_sid)


def create_manager(settings: Settings) -> RealtimeManager:
    if settings.redis_url:
        return RealtimeManager(RedisBus(settings.redis_url, settings.redis_prefix))
    return RealtimeManager()


def create_emitter(settings: Settings) -> RedisEmitter | NoEvents:
    """``Events`` for another process (the worker, scripts): publish only, ``close()`` when
    done. Without Redis no other process can reach the sockets, so events go nowhere."""
    if settings.redis_url:
        return RedisEmitter(settings.redis_url, settings.redis_prefix)
    log.warning("no REDIS_URL: live events from this process are not delivered")
    return NoEvents()


def create_sio(settings: Settings) -> socketio.AsyncServer:
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=create_manager(settings),
        json=_MsgspecJson,
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


class SocketIOEvents:
    """``server.events.Events`` over the Socket.IO server's ``RealtimeManager``."""

    def __init__(self, sio: socketio.AsyncServer):
        self.sio = sio
        self.manager: RealtimeManager = sio.manager

    async def to_users(
        self,
        user_ids: Iterable[uuid.UUID],
        namespace: str,
        event: str,
        payload: Any,
        *,
        best_effort: bool = False,
        skip_sid: str | None = None,
    ) -> None:
        """As ``Events.to_users``; ``skip_sid`` leaves out one local socket (the sender's,
        which has the result in its ack)."""
        await self.manager.to_users(user_ids, namespace, event, payload, best_effort, skip_sid)

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """The users with at least one connected socket on any instance."""
        return await self.manager.online(user_ids)

    def on_presence(self, hook: PresenceHook) -> None:
        """Call ``hook(user_id, online)`` (best-effort, in the background) when a user's
        first socket anywhere connects or their last one goes."""
        self.manager.presence_hooks.append(hook)

    async def disconnect_session(self, session_id: uuid.UUID) -> None:
        """Disconnect every socket of a (revoked) session, on every instance."""
        await self.manager.disconnect_room(session_room(session_id))

    async def disconnect_user(self, user_id: uuid.UUID) -> None:
        """Disconnect every socket of a user (all their sessions were revoked)."""
        await self.manager.disconnect_room(user_room(user_id))


async def realtime_ctx(app: web.Application) -> AsyncIterator[None]:
    manager: RealtimeManager = app[keys.SIO].manager
    await manager.start()
    yield
    await manager.close()
