"""PostgreSQL: pool lifecycle, named queries, units of work that publish their live events
after they commit, migrations."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiosql
import asyncpg
import msgspec

from server.errors import Unreachable
from server.invalidation import Invalidation
from server.realtime.contract import Disconnect, Events, LiveEvent, NoEvents

log = logging.getLogger("rizeos.db")

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
# A domain's stored functions (sql/<domain>/functions.sql): not named queries.
FUNCTIONS_FILE = "functions.sql"
# Any fixed 64-bit number works; it only has to be the same for every instance.
MIGRATION_LOCK_ID = 0x52495A454F53  # "RIZEOS"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def load_queries(sql_dir: Path = SQL_DIR) -> SimpleNamespace:
    """Load every ``sql/<domain>/*.sql`` file as ``queries.<domain>.<name>`` (but not a
    domain's ``functions.sql``, which migrate applies)."""
    domains: dict[str, Any] = {}
    for folder in sorted(p for p in sql_dir.iterdir() if p.is_dir()):
        if folder.name == "migrations":
            continue
        files = [p for p in sorted(folder.glob("*.sql")) if p.name != FUNCTIONS_FILE]
        domains[folder.name] = aiosql.from_str("\n".join(p.read_text() for p in files), "asyncpg")
    return SimpleNamespace(**domains)


async def fetch_all(query: Callable[..., AsyncIterator[Any]], conn: Any, **params: Any) -> list:
    """aiosql's async ``select`` is an async generator; most callers want a list."""
    return [row async for row in query(conn, **params)]


def like_contains(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere, with the user's % and _ taken literally
    (backslash is PostgreSQL's default LIKE escape character)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename,
            schema="pg_catalog",
            encoder=lambda value: msgspec.json.encode(value).decode(),
            decoder=msgspec.json.decode,
        )


class PoolConnection(asyncpg.Connection):
    """A pooled connection that may go back to the pool without asyncpg's reset query.

    On release asyncpg rolls back an open transaction (locally tracked, no round trip when
    there is none), forgets listeners, and then sends ``Connection.get_reset_query()``:
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;``, one more round
    trip per use of the pool. It exists for code that leaves session state behind: a
    ``SET``, a ``LISTEN``, a session advisory lock (migrations take one), an open cursor.
    ``Database.statement()`` lends a connection for named queries that cannot leave any of
    those (one statement, implicit transaction, no ``SET``/``LISTEN``/session lock); when
    its block ends normally it marks the connection, and ``_reset`` then skips the query
    for that one release. Every other use of the pool (``connection()``,
    ``transaction()``, a block that failed or was cancelled) is reset as before.
    """

    __slots__ = ("_skip_reset_query",)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._skip_reset_query = False

    def release_clean(self) -> None:
        self._skip_reset_query = True


async def _reset(conn: PoolConnection) -> None:
    """The pool's reset step (after asyncpg's own rollback of any open transaction)."""
    if conn._skip_reset_query and not conn.is_in_transaction():
        conn._skip_reset_query = False
        return
    conn._skip_reset_query = False
    query = conn.get_reset_query()
    if query:
        await conn.execute(query)


class Transaction:
    """A unit of work: a connection (inside a transaction, or one autocommitted statement),
    the live events it publishes once it has committed, and other after-commit side effects.

    ``emit`` is the one way a live event leaves the server (STYLE.md rule 3): events are
    collected here and handed, in order, to the database's ``Events`` sink after the commit;
    a rollback drops them. ``after_commit`` is for side effects that are not live events
    (mail). ``invalidate`` names cached rows this unit changes (``"session:<id>"``): this
    process drops them right after the commit, before anything else runs; the database's
    triggers tell the other instances (server/invalidation.py)."""

    __slots__ = ("_after_commit", "conn", "events", "invalidated")

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn
        self.events: list[LiveEvent | Disconnect] = []
        self.invalidated: list[str] = []
        self._after_commit: list[Callable[[], Awaitable[None]]] = []

    def emit(self, *items: LiveEvent | Disconnect) -> None:
        self.events.extend(items)

    def invalidate(self, *names: str) -> None:
        self.invalidated.extend(names)

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        self._after_commit.append(callback)

    async def _committed(self, sink: Events) -> None:
        # The data is committed; a failed side effect (event, mail) must not turn a
        # successful request into an error. The client can refetch.
        if self.events:
            try:
                await sink.publish(self.events)
            except Exception:
                log.exception("publishing %d committed live events failed", len(self.events))
        for callback in self._after_commit:
            try:
                await callback()
            except Exception:
                log.exception("after-commit callback failed")


class Database:
    def __init__(self, pool: asyncpg.Pool, queries: SimpleNamespace, dsn: str = ""):
        self.pool = pool
        self.q = queries
        self.dsn = dsn  # for what needs its own connection (the job queue's listener)
        # Where committed units of work publish their live events: the web process sets
        # its Socket.IO manager, a worker its Redis emitter (server/realtime/).
        self.events: Events = NoEvents()
        # This process's in-process caches; the web process starts its LISTEN (app.py).
        self.invalidation = Invalidation()

    @classmethod
    async def connect(
        cls,
        dsn: str,
        min_size: int = 1,
        max_size: int = 10,
        options: Mapping[str, str] | None = None,
    ) -> Database:
        """``options``: more run-time parameters every connection starts with (a custom
        ``rizeos.*`` one is how a setting reaches a stored function: server/app.py)."""
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            connection_class=PoolConnection,
            reset=_reset,
            # Search queries use optional filters (`:x IS NULL OR ...`); a cached generic
            # plan would ignore the GIN indexes those filters need, so plan every call.
            # No JIT: every query here is bounded and short; on a large board the planner's
            # cost estimates crossed jit_above_cost and compiling took longer (tens of ms)
            # than running the query (issue 12).
            server_settings={
                "plan_cache_mode": "force_custom_plan",
                "jit": "off",
                **(options or {}),
            },
        )
        return cls(pool, load_queries(), dsn)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[Any]:
        """A pooled connection. When the pool cannot open one, whatever the reason (refused,
        timed out, the server starting up, full, or not accepting connections to this
        database), that is an outage, not a bug: ``Unreachable`` (answered 503)."""
        try:
            conn = await self.pool.acquire()
        except (OSError, asyncpg.PostgresError) as exc:
            raise Unreachable(f"cannot connect to PostgreSQL: {type(exc).__name__}: {exc}") from exc
        try:
            yield conn
        finally:
            await self.pool.release(conn)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._acquire() as conn:
            yield conn

    @asynccontextmanager
    async def statement(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection for named queries that leave no session state behind (each one
        statement in its implicit transaction: no SET, LISTEN, cursor or session lock).
        Given back to the pool without the reset round trip (see ``PoolConnection``)."""
        async with self._acquire() as conn:
            yield conn
            conn.release_clean()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run a block in one transaction; its events and after-commit callbacks go out only
        if it commits."""
        async with self._acquire() as conn:
            tx = Transaction(conn)
            async with conn.transaction():
                yield tx
        self.invalidation.forget(*tx.invalidated)
        await tx._committed(self.events)

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Transaction]:
        """A unit of work whose one statement is its own transaction (no BEGIN/COMMIT round
        trips: the chat writer's ``send_messages`` call). Like ``statement()`` it leaves no
        session state; its events go out once the block ends without error (the statement
        has committed by then)."""
        async with self._acquire() as conn:
            tx = Transaction(conn)
            yield tx
            conn.release_clean()
        self.invalidation.forget(*tx.invalidated)
        await tx._committed(self.events)


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[str, Path]]:
    files = []
    for path in sorted(directory.glob("*.sql")):
        if not _MIGRATION_NAME.match(path.name):
            raise RuntimeError(f"migration file name must look like 0001_name.sql: {path.name}")
        files.append((path.stem, path))
    return files


def function_files(sql_dir: Path = SQL_DIR) -> list[tuple[str, Path]]:
    """Each domain's stored functions, ``sql/<domain>/functions.sql``, named by that path."""
    return [
        (f"{path.parent.name}/{path.name}", path)
        for path in sorted(sql_dir.glob(f"*/{FUNCTIONS_FILE}"))
    ]


async def apply_migrations(
    conn: asyncpg.Connection, queries: SimpleNamespace, sql_dir: Path = SQL_DIR
) -> list[str]:
    """Apply pending migrations in order, each once, then every changed ``functions.sql``,
    under an advisory lock. Returns the migrations applied.

    Two instances starting together serialise on the lock; the second finds
    everything recorded and applies nothing.
    """
    q = queries.schema
    applied_now: list[str] = []
    await q.lock_migrations(conn, lock_id=MIGRATION_LOCK_ID)
    try:
        await q.create_migrations_table(conn)
        done = {
            r["version"]: r["checksum"] for r in await fetch_all(q.list_applied_migrations, conn)
        }
        for version, path in migration_files(sql_dir / "migrations"):
            sql = path.read_text()
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if version in done:
                if done[version] != checksum:
                    log.warning("migration %s changed after it was applied", version)
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await q.record_migration(conn, version=version, checksum=checksum)
            log.info("applied migration %s", version)
            applied_now.append(version)
        await _apply_functions(conn, q, sql_dir)
    finally:
        await q.unlock_migrations(conn, lock_id=MIGRATION_LOCK_ID)
    return applied_now


async def _apply_functions(conn: asyncpg.Connection, q: Any, sql_dir: Path) -> None:
    """Run each ``functions.sql`` whose content differs from the one last applied. Every
    statement in one is CREATE OR REPLACE, so a file can run again whole; it runs after the
    migrations, which create and change the tables its functions use."""
    await q.create_functions_table(conn)
    done = {r["file"]: r["checksum"] for r in await fetch_all(q.list_applied_functions, conn)}
    for name, path in function_files(sql_dir):
        sql = path.read_text()
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        if done.get(name) == checksum:
            continue
        async with conn.transaction():
            await conn.execute(sql)
            await q.record_functions(conn, file=name, checksum=checksum)
        log.info("applied stored functions %s", name)


async def pending_migrations(conn: asyncpg.Connection, queries: SimpleNamespace) -> list[str]:
    q = queries.schema
    done: set[str] = set()
    if await q.migrations_table_exists(conn):
        done = {r["version"] for r in await fetch_all(q.list_applied_migrations, conn)}
    return [version for version, _ in migration_files() if version not in done]
