"""Helpers for upload tests: counting rows to show a refused call changed nothing."""

from __future__ import annotations

import pytest


class Rows:
    def __init__(self, db):
        self.db = db

    async def count(self) -> int:
        async with self.db.connection() as conn:
            return await conn.fetchval("SELECT count(*) FROM uploads")

    async def get(self, upload_id) -> dict:
        async with self.db.connection() as conn:
            row = await conn.fetchrow("SELECT * FROM uploads WHERE id = $1::uuid", str(upload_id))
        return dict(row)

    async def expire(self, upload_id) -> None:
        """Move an upload's expiry into the past, as if it had been abandoned long ago."""
        async with self.db.connection() as conn:
            await conn.execute(
                "UPDATE uploads SET expires_at = now() - interval '1 second' WHERE id = $1::uuid",
                str(upload_id),
            )


@pytest.fixture
def rows(db) -> Rows:
    return Rows(db)
