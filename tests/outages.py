"""Dependencies going away for real, for the outage tests: no mock of our own database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlparse, urlunparse

import asyncpg


@asynccontextmanager
async def database_unreachable(database_url: str) -> AsyncIterator[None]:
    """The database at ``database_url`` goes away: every connection to it is cut (the
    backends are terminated, as a restart or a failover would) and new ones are refused,
    until the block ends."""
    parts = urlparse(database_url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(urlunparse(parts._replace(path="/postgres")))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            # The timeout makes each termination complete before the test goes on.
            await admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    finally:
        await admin.close()
