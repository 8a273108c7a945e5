"""Local delivery: the python-socketio client manager of the web process.

It is the process's ``Events`` (``publish`` what a transaction collected, ``online``): each
emit is encoded once (``packets.encode_event``), written to the local sockets of its
recipients' user rooms, and, with a ``RedisBus``, routed to the other nodes holding a
recipient. It also guards against slow consumers, resyncs local sockets after a gap in the
bus, and closes revoked sessions' sockets on every node.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import socketio
from engineio import packet as eio_packet

from server.realtime.bus import RedisBus
from server.realtime.contract import Transport, recipients_of, user_room
from server.realtime.packets import (
    encode_event,
    event_name,
    parse_node_message,
    split_node_messages,
)
from server.realtime.presence import Presence, PresenceHook

log = logging.getLogger("rizeos.realtime")

# Per-socket engine.io queues are unbounded; these bound what one slow reader can hold.
# Above the soft limit best-effort events (typing, presence) are skipped for that socket;
# above the hard limit its transport is aborted (the client reconnects and resumes from
# PostgreSQL). Counted in packets: a packet is at most MAX_PACKET_BYTES.
SLOW_SOFT_LIMIT = 256
SLOW_HARD_LIMIT = 2048
USER_ROOM_PREFIX = user_room("")
RESYNC_EVENT = "resync"


@dataclass
class DeliveryStats:
    delivered: int = 0
    skipped_slow_best_effort: int = 0
    cut_off_slow: int = 0
    resyncs: int = 0
    # (namespace, event) -> sockets written to, for /metrics (chat messages delivered: its
    # ("/chat", "message")). Event names are the code's own: a small, fixed set.
    by_event: dict[tuple[str, str], int] = field(default_factory=dict)


class RealtimeManager(Transport, socketio.AsyncManager):
    """The web process's ``Events``: delivers emits to local sockets and, with a ``RedisBus``,
    to the nodes holding the recipients; counts each user's sockets for presence."""

    def __init__(self, bus: RedisBus | None = None):
        super().__init__()
        self.bus = bus
        self.presence = Presence(bus)
        self._user_of: dict[tuple[str, str], str] = {}  # (namespace, sid) -> user id
        self.stats = DeliveryStats()

    # lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self.bus is None:
            return
        await self.presence.heartbeat_once(self._resync_local)
        self.bus.start(
            self.bus.listen(self._on_node_message, self._on_control, self._resync_local),
            self.presence.heartbeat_loop(self._resync_local),
        )

    async def close(self) -> None:
        # Detach first: sockets still closing during shutdown must not write presence
        # for a node that has already withdrawn it.
        bus, self.bus, self.presence.bus = self.bus, None, None
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
            await self.presence.count(user, +1)

    async def disconnect(self, sid, namespace, **kwargs):
        self.basic_disconnect(sid, namespace, **kwargs)
        user = self._user_of.pop((namespace, sid), None)
        if user is not None:
            await self.presence.count(user, -1)

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """The users with at least one connected socket on any instance."""
        return await self.presence.online(user_ids)

    def on_presence(self, hook: PresenceHook) -> None:
        """Call ``hook(user_id, online)`` (best-effort, in the background) when a user's
        first socket anywhere connects or their last one goes."""
        self.presence.hooks.append(hook)

    # delivery ----------------------------------------------------------------------------
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
        """Every socket of every user, on any instance; ``skip_sid`` leaves out one local
        socket (the sender's, which has the result in its ack)."""
        users = recipients_of(user_ids)
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
            await self._send(namespace, targets, packet, best_effort)

    async def _send(
        self, namespace: str, eio_sids: list[str], packet: str, best_effort: bool
    ) -> None:
        # One engine.io packet shared by every recipient, and no task per recipient: the
        # queue put does not block, so a plain loop is the cheapest delivery.
        pkt = eio_packet.Packet(eio_packet.MESSAGE, packet)
        sockets = self.server.eio.sockets
        sent = 0
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
            sent += 1
        if sent:
            self.stats.delivered += sent
            by_event = self.stats.by_event
            key = (namespace, event_name(packet))
            by_event[key] = by_event.get(key, 0) + sent

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
            socket = self.server.eio.sockets.get(eio_sid)
            if socket is not None:
                # Not eio.disconnect(): it waits until the client has taken the CLOSE packet,
                # and this runs after the commit of the request that revoked the session (a
                # log-out, a deleted account), which must not wait on a client that may never
                # poll again. engine.io drops the closed socket at its next request or sweep.
                await socket.close(wait=False, reason=self.server.eio.reason.SERVER_DISCONNECT)
