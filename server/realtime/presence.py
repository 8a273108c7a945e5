"""Presence: how many sockets each user has on this node (all namespaces) and, with a Redis
bus, on every node; hooks that hear when a user's first socket anywhere connects or their
last one goes.

The manager calls ``count`` when a socket joins or leaves its user room. With a bus the
node writes its absolute count per user to Redis (``presence_set.lua``) and beats a
heartbeat; a heartbeat that finds this node forgotten (Redis restarted, or the node stalled
and was swept) or a failed write writes every local count again and asks the manager to
resync its sockets.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable

from server.realtime.bus import HEARTBEAT_EVERY, RedisBus

log = logging.getLogger("rizeos.realtime.presence")

PresenceHook = Callable[[uuid.UUID, bool], Awaitable[None]]


class Presence:
    def __init__(self, bus: RedisBus | None):
        self.bus = bus
        self.counts: dict[str, int] = {}  # user id -> this node's sockets (all namespaces)
        self.hooks: list[PresenceHook] = []
        self.dirty = False  # a write failed: write everything again on the next heartbeat
        self._hook_tasks: set[asyncio.Task] = set()

    async def count(self, user: str, delta: int) -> None:
        before = self.counts.get(user, 0)
        after = before + delta
        if after > 0:
            self.counts[user] = after
        else:
            self.counts.pop(user, None)
        if self.bus is None:
            if (before == 0) != (after == 0):
                self._changed(user, after > 0)
            return
        try:
            # Writes may complete out of order over several pooled connections: write again
            # until what Redis holds is this node's current count.
            while True:
                count = self.counts.get(user, 0)
                total_before, total_after = await self.bus.set_presence(user, count)
                if self.counts.get(user, 0) == count:
                    break
        except Exception:
            log.warning("presence write failed; re-publishing on the next heartbeat")
            self.dirty = True
            return
        if (total_before == 0) != (total_after == 0):
            self._changed(user, total_after > 0)

    def _changed(self, user: str, online: bool) -> None:
        for hook in self.hooks:
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
            return {uuid.UUID(u) for u in users if u in self.counts}
        try:
            return {uuid.UUID(u) for u in await self.bus.online(users)}
        except Exception as exc:  # presence is best-effort: fall back to this node's view
            log.warning("presence read failed (%s)", exc)
            return {uuid.UUID(u) for u in users if u in self.counts}

    async def heartbeat_once(self, resync: Callable[[], Awaitable[None]]) -> None:
        if self.bus is None:  # closed
            return
        try:
            registered = await self.bus.heartbeat()
            if not registered or self.dirty:
                # Redis restarted, or this node was swept, or a presence write failed: write
                # every local count again, then have local sockets fetch what they missed.
                self.dirty = False
                snapshot = dict(self.counts)
                await self.bus.republish_presence(snapshot)
                if snapshot != self.counts:
                    self.dirty = True
                await resync()
            for user in await self.bus.sweep():
                self._changed(user, False)
        except Exception as exc:
            self.dirty = True
            log.warning("heartbeat failed (%s)", exc)

    async def heartbeat_loop(self, resync: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            await self.heartbeat_once(resync)
