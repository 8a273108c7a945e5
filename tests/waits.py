"""Waiting for a condition instead of for a while."""

from __future__ import annotations

import asyncio


async def wait_for_lock_waiters(conn, count: int, tries: int = 500) -> None:
    """Wait until ``count`` backends of this database are blocked on a lock (a race the
    test has set up is in place); fail if that never happens."""
    waiting = 0
    for _ in range(tries):
        # Statistics views are snapshotted per transaction; look afresh each time.
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting == count:
            return
        await asyncio.sleep(0.01)
    assert waiting == count, f"{waiting} backends waiting on a lock, expected {count}"
