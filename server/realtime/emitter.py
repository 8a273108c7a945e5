"""The write-only side of the live layer, for processes without sockets (the worker,
scripts): what they emit reaches the web instances' sockets through the same Redis bus.

``create_emitter(settings)`` is what such a process sets as its database's event sink
(``Database.events``), so its services emit exactly as the web process's do: collected by
the transaction and published after the commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from server.config import Settings
from server.realtime.bus import RedisBus
from server.realtime.contract import NoEvents, Transport, recipients_of
from server.realtime.packets import encode_event

log = logging.getLogger("rizeos.realtime.emitter")


class RedisEmitter(Transport):
    """``Events`` over Redis: publishes through a bounded bus of its own (two connections),
    never subscribes, closes cleanly."""

    def __init__(self, url: str, prefix: str):
        self.bus = RedisBus(url, prefix, node_id="emitter-" + uuid.uuid4().hex[:8], pool_size=2)

    async def to_users(
        self,
        user_ids: Iterable[uuid.UUID],
        namespace: str,
        event: str,
        payload: Any,
        *,
        best_effort: bool = False,
        skip_sid: str | None = None,  # a socket of the web process: none here
    ) -> None:
        users = recipients_of(user_ids)
        if users:
            packet = encode_event(namespace, event, payload)
            await self.bus.route(namespace, users, packet, best_effort=best_effort)

    async def disconnect_room(self, room: str) -> None:
        await self.bus.broadcast({"op": "disconnect", "room": room})

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        try:
            found = await self.bus.online(recipients_of(user_ids))
        except Exception as exc:  # presence is best-effort: unknown reads as offline
            log.warning("presence read failed (%s)", exc)
            return set()
        return {uuid.UUID(u) for u in found}

    async def close(self) -> None:
        await self.bus.close()


def create_emitter(settings: Settings) -> RedisEmitter | NoEvents:
    """The event sink for another process: publish only, ``close()`` when done. Without
    Redis no other process can reach the sockets, so events go nowhere (logged once)."""
    if settings.redis_url:
        return RedisEmitter(settings.redis_url, settings.redis_prefix)
    log.warning("no REDIS_URL: live events from this process are not delivered")
    return NoEvents()
