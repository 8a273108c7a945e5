"""In-process caches that every instance drops entries from when the rows behind them change.

The database tells: triggers (sql/migrations/0013_cache_invalidation.sql) ``NOTIFY
rizeos_invalidate, '<kind>:<id>'`` for every committed change to a session, a user, a job or
a company's name, whoever made it. Each instance holds one connection of its own (not from
the pool) that LISTENs, and hands each key to the caches registered for its kind.

A cache may answer only while that channel is known to be up: ``Invalidation.enabled`` is
true from the moment LISTEN is in place until the connection is lost (or the check every
CHECK_EVERY_S, a ping NOTIFYed and heard back on the channel, fails), and every cache is
emptied when it goes down and again when it comes back, so no entry survives a gap the
instance knows of. A connection that dies silently is found by the next check: a change made
elsewhere in that spell can be missed for at most CHECK_EVERY_S + CHECK_TIMEOUT_S (5 s).
While it is down the caches are bypassed and every request reads the database, as it did
before there were caches. Socket.IO connections never use the cache (they authenticate once
and live long: server/auth/middleware.py, ``fresh``).

A read that fills a cache races with a change committed while it runs: the cache's
``version`` moves on every invalidation, and an entry read under an older version is not
stored (``Cache.put``). The instance that makes a change also drops its own entries at once,
after the commit and before it answers (``Invalidation.forget``), so its client never sees
the old row; other instances drop theirs when the notification arrives, which PostgreSQL
sends as the change commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

import asyncpg

log = logging.getLogger("rizeos.invalidation")

CHANNEL = "rizeos_invalidate"
# Every cache of every instance emptied: TRUNCATE of a watched table sends it (row triggers do
# not fire there), and an operator who wrote with triggers off (`session_replication_role =
# replica`, a restore) sends it by hand: NOTIFY rizeos_invalidate, 'all'.
EVERYTHING = "all"
# How often the channel is checked end to end: the listener NOTIFYs a ping of its own and
# must hear it back within CHECK_TIMEOUT_S. That catches a connection that died without the
# socket saying so (a cut cable, a frozen server) and one that answers queries but delivers
# no notifications (a transaction-mode pooler between us and PostgreSQL): either way the
# caches go off, so a change can be missed for at most CHECK_EVERY_S + CHECK_TIMEOUT_S.
CHECK_EVERY_S = 2.0
CHECK_TIMEOUT_S = 3.0
PING = "ping:"
RECONNECT_MAX_S = 5.0

# What connecting, listening or checking may raise when PostgreSQL or the path to it fails.
CONNECTION_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Cache(Generic[K, V]):
    """A bounded map answered only while invalidation is up; see the module docstring.

    ``index`` maps an entry to the invalidation keys (``"user:<id>"``) that drop it."""

    def __init__(
        self,
        invalidation: Invalidation,
        max_entries: int,
        ttl_s: float,
        index: Callable[[V], tuple[str, ...]],
        weigh: Callable[[V], int] | None = None,
        max_weight: int = 0,
    ):
        self._invalidation = invalidation
        self._max = max_entries
        # An optional second bound, on the entries' summed weight (bytes of a job's body).
        self._weigh = weigh
        self._max_weight = max_weight
        self.weight = 0
        self._ttl = ttl_s
        self._index = index
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._by_key: dict[str, set[K]] = {}
        self.version = 0
        invalidation.caches.append(self)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def enabled(self) -> bool:
        return self._max > 0 and self._invalidation.enabled

    def get(self, key: K) -> V | None:
        if not self.enabled:
            return None
        found = self._entries.get(key)
        if found is None:
            return None
        stored_at, value = found
        if time.monotonic() - stored_at > self._ttl:
            self._drop(key)
            return None
        return value

    async def load(
        self,
        key: K,
        read: Callable[[], Awaitable[V | None]],
        usable: Callable[[V], bool] | None = None,
    ) -> V | None:
        """The entry for ``key`` (if ``usable``), else what ``read`` returns, stored unless an
        invalidation came in while it ran (the fill race: see ``put``)."""
        found = self.get(key)
        if found is not None and (usable is None or usable(found)):
            return found
        version = self.version
        value = await read()
        if value is not None:
            self.put(key, value, version)
        return value

    def put(self, key: K, value: V, version: int) -> None:
        """Store ``value`` read while ``self.version`` was ``version`` (read it before the
        query); nothing is stored if an invalidation came in meanwhile or the cache is off."""
        if version != self.version or not self.enabled:
            return
        self._drop(key)
        weight = self._weigh(value) if self._weigh is not None else 0
        if weight > self._max_weight > 0:
            return  # larger than the whole budget: never cached
        while self._entries and (
            len(self._entries) >= self._max
            or (self._max_weight and self.weight + weight > self._max_weight)
        ):
            self._drop(next(iter(self._entries)))
        self._entries[key] = (time.monotonic(), value)
        self.weight += weight
        for name in self._index(value):
            self._by_key.setdefault(name, set()).add(key)

    def invalidate(self, name: str) -> None:
        self.version += 1
        for key in self._by_key.pop(name, ()):
            self._drop(key)

    def clear(self) -> None:
        self.version += 1
        self._entries.clear()
        self._by_key.clear()
        self.weight = 0

    def _drop(self, key: K) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        if self._weigh is not None:
            self.weight -= self._weigh(found[1])
        for name in self._index(found[1]):
            keys = self._by_key.get(name)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_key[name]


def key(kind: str, ident: uuid.UUID | str) -> str:
    return f"{kind}:{ident}"


class Invalidation:
    """The LISTEN side: one connection, every cache of this process, enabled only while up."""

    def __init__(self, dsn: str | None = None):
        self.dsn = dsn
        self.caches: list[Cache[Any, Any]] = []
        self.enabled = False
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._ping: tuple[str, asyncio.Future[None]] | None = None

    def forget(self, *names: str) -> None:
        """Drop what ``names`` name from this process's caches now (the instance that made
        the change, after its commit; the trigger tells the others)."""
        for name in names:
            for cache in self.caches:
                cache.invalidate(name)

    def _clear_all(self) -> None:
        for cache in self.caches:
            cache.clear()

    def _disable(self) -> None:
        self.enabled = False
        self._clear_all()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(PING):  # a liveness check: ours answers it, others' are noise
            ping = self._ping
            if ping is not None and payload == ping[0] and not ping[1].done():
                ping[1].set_result(None)
            return
        if payload == EVERYTHING:
            self._clear_all()
            return
        self.forget(payload)

    def _on_terminated(self, _conn: Any) -> None:
        self._disable()
        self._lost.set()

    async def start(self) -> None:
        """Connect and LISTEN now if possible (so caches work from the first request), then
        keep the channel up in the background."""
        if self.dsn is None:
            return
        with contextlib.suppress(*CONNECTION_ERRORS):
            await self._connect()
        self._task = asyncio.create_task(self._keep_up(), name="cache-invalidation")

    async def close(self) -> None:
        self._disable()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_conn()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=CHECK_TIMEOUT_S)
        try:
            conn.add_termination_listener(self._on_terminated)
            await conn.add_listener(CHANNEL, self._on_notify)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        self._lost.clear()
        # Anything cached before this point may have missed a notification.
        self._clear_all()
        self.enabled = True
        log.info("cache invalidation listening")

    async def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.remove_termination_listener(self._on_terminated)
            with contextlib.suppress(Exception):
                await conn.close(timeout=1)

    async def _keep_up(self) -> None:
        backoff = 0.1
        while True:
            if self._conn is None or self._conn.is_closed():
                self._disable()
                await self._close_conn()
                try:
                    await self._connect()
                    backoff = 0.1
                except CONNECTION_ERRORS as exc:
                    log.warning("cache invalidation cannot listen (caches off): %s", exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, RECONNECT_MAX_S)
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), CHECK_EVERY_S)
            if self._lost.is_set():
                log.warning("cache invalidation connection lost: caches off until it is back")
                continue
            try:
                await self._check(self._conn)
            except CONNECTION_ERRORS as exc:
                log.warning("cache invalidation check failed (caches off): %s", exc)
                self._disable()
                await self._close_conn()

    async def _check(self, conn: asyncpg.Connection) -> None:
        """NOTIFY a ping on the channel and hear it back on the same connection (PostgreSQL
        delivers a session's own notifications to it): the whole path a change takes."""
        payload = f"{PING}{uuid.uuid4().hex}"
        heard = asyncio.get_running_loop().create_future()
        self._ping = (payload, heard)
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                await conn.execute(f"NOTIFY {CHANNEL}, '{payload}'")
                await heard
        finally:
            self._ping = None
