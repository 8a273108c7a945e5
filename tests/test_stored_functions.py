"""Stored functions live in sql/<domain>/functions.sql: after migrate the database holds
exactly what the files say, a changed file is applied again on the next migrate, an unchanged
one is left alone, and the files are not taken for named queries."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import asyncpg
import pytest

from server.db import SQL_DIR, Database, apply_migrations, function_files, load_queries

SEND_MESSAGES = "send_messages(uuid[],uuid[],text[],text[],text[],text[])"
CHANGED = "    -- changed by tests/test_stored_functions.py\n"


async def definitions(conn: asyncpg.Connection, schema: str) -> dict[str, str]:
    """Every function in ``schema`` by name and arguments, as PostgreSQL prints it back
    (pg_get_functiondef: arguments, result, language, volatility, SET options and body)."""
    rows = await conn.fetch(
        "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name,"
        "       pg_get_functiondef(p.oid) AS definition"
        " FROM pg_proc p WHERE p.pronamespace = $1::regnamespace",
        schema,
    )
    return {r["name"]: r["definition"].replace(f"FUNCTION {schema}.", "FUNCTION ") for r in rows}


async def function_row_version(conn: asyncpg.Connection) -> str:
    """The pg_proc row's xmin: it changes whenever CREATE OR REPLACE runs, even unchanged."""
    return await conn.fetchval(
        "SELECT xmin::text FROM pg_proc WHERE oid = $1::regprocedure", SEND_MESSAGES
    )


def test_there_are_stored_function_files():
    assert "messaging/functions.sql" in dict(function_files())


@pytest.mark.parametrize(("name", "path"), function_files())
async def test_the_database_holds_each_function_as_its_file_defines_it(db: Database, name, path):
    async with db.connection() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("CREATE SCHEMA file_copy; SET LOCAL search_path = file_copy, public")
            await conn.execute(path.read_text())
            from_file = await definitions(conn, "file_copy")
            applied = await definitions(conn, "public")
        finally:
            await transaction.rollback()
    assert from_file, f"{name} defines no function"
    for function, definition in from_file.items():
        assert applied.get(function) == definition, f"{function} differs from {name}"


@pytest.fixture
def sql_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "sql"
    shutil.copytree(SQL_DIR, copy)
    return copy


async def test_a_changed_function_file_is_applied_on_the_next_migrate(
    db: Database, sql_copy: Path, caplog
):
    functions = sql_copy / "messaging" / "functions.sql"
    text = functions.read_text()
    body = text.index("AS $$")
    functions.write_text(text[:body] + text[body:].replace("BEGIN\n", "BEGIN\n" + CHANGED, 1))
    caplog.set_level(logging.INFO, logger="rizeos.db")
    async with db.connection() as conn:
        before = await function_row_version(conn)
        assert await apply_migrations(conn, db.q, sql_copy) == []
        source = await conn.fetchval(
            "SELECT prosrc FROM pg_proc WHERE oid = $1::regprocedure", SEND_MESSAGES
        )
        recorded = await conn.fetchval(
            "SELECT checksum FROM schema_functions WHERE file = 'messaging/functions.sql'"
        )
        changed = await function_row_version(conn)
    assert CHANGED in source
    assert recorded == hashlib.sha256(functions.read_bytes()).hexdigest()
    assert changed != before
    assert "applied stored functions messaging/functions.sql" in caplog.messages

    caplog.clear()
    async with db.connection() as conn:
        await apply_migrations(conn, db.q, sql_copy)
        assert await function_row_version(conn) == changed
    assert not [m for m in caplog.messages if m.startswith("applied")]


async def test_migrate_leaves_unchanged_functions_alone(db: Database, caplog):
    caplog.set_level(logging.INFO, logger="rizeos.db")
    async with db.connection() as conn:
        before = await function_row_version(conn)
        assert await apply_migrations(conn, db.q) == []
        assert await function_row_version(conn) == before
    assert not [m for m in caplog.messages if m.startswith("applied")]


def test_a_functions_file_is_not_loaded_as_named_queries(tmp_path: Path):
    domain = tmp_path / "things"
    domain.mkdir()
    (domain / "things.sql").write_text("-- name: count_things()$\nSELECT 1;\n")
    (domain / "functions.sql").write_text(
        "-- name: not_a_query()$\n"
        "CREATE OR REPLACE FUNCTION things() RETURNS INT LANGUAGE sql AS $$ SELECT 1 $$;\n"
    )
    assert load_queries(tmp_path).things.available_queries == ["count_things"]
