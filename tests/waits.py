"""Waiting for a condition instead of for a while: poll until it holds, with a generous
bound that fails only a test whose condition never comes (never a latency assertion)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(
    check: Callable[[], Any],
    within: float = 20.0,
    what: str | Callable[[], str] = "",
    every: float = 0.05,
) -> Any:
    """Poll ``check`` (sync, or returning an awaitable) until it returns something truthy,
    and return that; fail after ``within`` seconds, saying ``what`` never happened (a
    callable is asked then, so the message can show the last state seen)."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return result
        assert time.monotonic() < deadline, f"never happened: {_text(what) or check}"
        await asyncio.sleep(every)


def _text(what: str | Callable[[], str]) -> str:
    return what() if callable(what) else what


async def wait_for_lock_waiters(conn, count: int, within: float = 10.0) -> None:
    """Wait until ``count`` backends of this database are blocked on a lock (a race the
    test has set up is in place); fail if that never happens."""
    seen: list[int] = []

    async def in_place() -> bool:
        # Statistics views are snapshotted per transaction; look afresh each time.
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        seen.append(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return seen[-1] == count

    await eventually(
        in_place,
        within,
        lambda: f"{count} backends waiting on a lock (last seen: {seen[-1]})",
        every=0.01,
    )
