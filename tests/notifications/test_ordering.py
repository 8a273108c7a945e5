"""A user's notification ids commit in increasing order, so resuming after an id is exact."""

from __future__ import annotations

import asyncio

from server.notifications.service import NotificationService

WAIT = 10


async def _waiting_for_advisory_lock(db) -> bool:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
        )


async def test_a_second_notification_for_a_user_waits_for_the_first_to_commit(api, client, db):
    """Without this, a transaction holding a smaller id could commit after a client resumed
    past a larger one, and the client would never see it."""
    user, bystander = await api.sign_up(), await api.sign_up()
    service = NotificationService(db)

    async def second() -> int:
        async with db.transaction() as tx:
            [made] = await service.notify(tx, [user.id], "test.second", {})
            return made.id

    async with db.transaction() as tx:
        [first] = await service.notify(tx, [user.id], "test.first", {})
        pending = asyncio.create_task(second())
        async with asyncio.timeout(WAIT):  # waiting for an expected state, not timing it
            while True:
                if await _waiting_for_advisory_lock(db):
                    break
                await asyncio.sleep(0.02)
        assert not pending.done()
        # someone else's notifications are not held up
        async with db.transaction() as other:
            await service.notify(other, [bystander.id], "test.other", {})
    second_id = await asyncio.wait_for(pending, WAIT)
    assert second_id > first.id
