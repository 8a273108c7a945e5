"""When each session was last seen, kept fresh without a write per request.

The sessions list (``GET /api/me/sessions``) shows when each device was last used. Writing
``sessions.last_seen_at`` on every request would put an UPDATE behind every authenticated
request, which the session cache (server/auth/sessions.py) exists to keep free of database
work. Instead each instance remembers, in memory, when it last wrote each session's time
(seeded from the row it read), and asks for a write only when that is more than
``SESSION_SEEN_INTERVAL_SECONDS`` (5 minutes) old: then the session joins a batch that one
UPDATE writes in the background a moment later. So a session costs at most one write per
interval per instance, the request itself none, and a shown "last seen" is at most one
interval (plus the batch delay) old. The write does not empty any cache
(sql/migrations/0030_session_last_seen.sql). A lost batch (the database away) is only a
stale time: those sessions are written again on their next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from server import keys
from server.auth.sessions import SessionEntry
from server.logs import shared_task

log = logging.getLogger("rizeos.auth.last_seen")

# How long a batch gathers sessions before its one UPDATE.
BATCH_DELAY_S = 1.0
MAX_REMEMBERED = 50_000


class LastSeen:
    def __init__(self, app: web.Application, interval_s: float):
        self.app = app
        self.interval_s = interval_s
        self._written: dict[uuid.UUID, float] = {}
        self._pending: set[uuid.UUID] = set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def touch(self, entry: SessionEntry) -> None:
        """The session was used now: queue a write if its time is an interval old. No I/O."""
        now = time.time()
        last = self._written.get(entry.session_id, entry.seen_at)
        if now - last < self.interval_s or self._closed:
            return
        self._written[entry.session_id] = now
        self._pending.add(entry.session_id)
        if len(self._written) > MAX_REMEMBERED:
            self._written = {s: t for s, t in self._written.items() if now - t < self.interval_s}
        if self._task is None:
            self._task = shared_task(self._write_soon(), name="last-seen-write")

    async def _write_soon(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(BATCH_DELAY_S)
                await self.write()
        finally:
            self._task = None

    async def write(self) -> None:
        """Write the pending sessions' times now, in one UPDATE."""
        ids, self._pending = list(self._pending), set()
        if not ids:
            return
        db = self.app[keys.DB]
        try:
            async with db.statement() as conn:
                await db.q.auth.touch_sessions(conn, session_ids=ids)
        except asyncio.CancelledError:
            # Shutting down (close) while this batch was in flight: the final flush writes it.
            self._pending.update(ids)
            raise
        except Exception as exc:
            log.warning("last seen of %d sessions not written: %s", len(ids), exc)
            for session_id in ids:
                self._written.pop(session_id, None)

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.write()


LAST_SEEN: web.AppKey[LastSeen] = web.AppKey("last_seen", LastSeen)


async def last_seen_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the database context: the last batch is written before the pool closes."""
    app[LAST_SEEN] = tracker = LastSeen(app, app[keys.SETTINGS].session_seen_interval_seconds)
    yield
    await tracker.close()
