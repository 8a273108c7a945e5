"""The pool's reset step: skipped only after ``Database.statement()``, which lends a
connection for queries that leave no session state; every other use is reset."""

from __future__ import annotations

from server.db import Database


async def test_only_a_statement_connection_goes_back_without_the_reset_query(database_url):
    db = await Database.connect(database_url, min_size=1, max_size=1)
    try:
        # Session state that a reset clears; only a test would set it inside statement().
        async with db.statement() as conn:
            await conn.execute("SELECT set_config('application_name', 'left behind', false)")
        async with db.connection() as conn:
            assert await conn.fetchval("SHOW application_name") == "left behind"
            await conn.execute("LISTEN rizeos_test_channel")
        async with db.connection() as conn:
            assert await conn.fetchval("SHOW application_name") != "left behind"
            assert await conn.fetchval("SELECT count(*) FROM pg_listening_channels()") == 0
        # A failed statement() block is reset like any other.
        try:
            async with db.statement() as conn:
                await conn.execute("SELECT set_config('application_name', 'failed', false)")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        async with db.connection() as conn:
            assert await conn.fetchval("SHOW application_name") != "failed"
    finally:
        await db.close()
