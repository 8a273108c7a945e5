"""send_messages() keeps a generic plan for a connection's life (migration 0011), so that
plan must use the indexes even when it is made while the tables are small or never
analyzed (migration 0012): otherwise every send scans every stored message."""

from __future__ import annotations

import json
import re
import uuid

SIGNATURE = "send_messages(uuid[],uuid[],text[],text[],text[],text[])"
PARAMS = [
    "p_conversation_ids",
    "p_sender_ids",
    "p_contents",
    "p_attachment_urls",
    "p_attachment_types",
    "p_client_msg_ids",
]
BIG_TABLES = {"messages", "conversations", "conversation_participants"}


def scans(plan: dict) -> list[tuple[str, str]]:
    """(node type, relation) of every node in a JSON plan that reads a table."""
    found = []
    if "Relation Name" in plan:
        found.append((plan["Node Type"], plan["Relation Name"]))
    for child in plan.get("Plans", []):
        found.extend(scans(child))
    return found


async def generic_plan_scans(conn, statement: str, settings: list[str]) -> list[tuple[str, str]]:
    """Plan ``statement`` (the function's own text, its parameters as $1..$6) as the
    function does: a generic plan under the function's own settings."""
    for name, param in reversed(list(enumerate(PARAMS, 1))):
        statement = statement.replace(param, f"${name}")
    async with conn.transaction():
        for setting in settings:
            name, value = setting.split("=", 1)
            await conn.execute("SELECT set_config($1, $2, true)", name, value)
        await conn.execute(
            "PREPARE send_plan(uuid[], uuid[], text[], text[], text[], text[]) AS " + statement
        )
        try:
            one = uuid.uuid4()
            (raw,) = await conn.fetchrow(
                "EXPLAIN (FORMAT JSON) EXECUTE send_plan("
                f"ARRAY['{one}']::uuid[], ARRAY['{one}']::uuid[], ARRAY['hi'], "
                "ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY['c-1'])"
            )
        finally:
            await conn.execute("DEALLOCATE send_plan")
    plan = json.loads(raw) if isinstance(raw, str) else raw  # the pool may decode JSON
    return scans(plan[0]["Plan"])


def statements(source: str) -> tuple[str, str, str]:
    """The function's three statements, as plain SELECTs: the locks (reading each
    conversation's last_seq), the main one, and the look-up of missed-message email jobs
    to queue."""
    body = source.split("BEGIN", 1)[1]
    into = re.compile(r"\s+INTO [\w, ]+\n")
    lock = into.sub("\n", body.split(";", 1)[0].strip(), count=1)
    after_main = body.split("RETURN QUERY", 1)[1]
    main, rest = after_main.split(";", 1)
    due = into.sub("\n", rest.split(";", 1)[0].strip(), count=1)
    return lock, main.strip(), due


async def test_the_send_function_looks_everything_up_by_index_in_its_generic_plan(db):
    async with db.connection() as conn:
        source, settings = await conn.fetchrow(
            "SELECT prosrc, proconfig FROM pg_proc WHERE oid = $1::regprocedure", SIGNATURE
        )
        assert "plan_cache_mode=force_generic_plan" in settings
        assert {"enable_seqscan=off", "enable_hashjoin=off", "enable_mergejoin=off"} <= set(
            settings
        )
        lock, main, due = statements(source)
        assert lock.startswith("SELECT") and "FOR NO KEY UPDATE" in lock
        for statement in (lock, main):
            found = await generic_plan_scans(conn, statement, settings)
            assert found, "the plan reads no table?"
            slow = [s for s in found if s[1] in BIG_TABLES and s[0] == "Seq Scan"]
            assert slow == [], f"sequential scans in the generic plan: {slow}"
        found = await due_plan_scans(conn, due, settings)
        assert {"messages", "conversation_participants", "pgqueuer"} <= {s[1] for s in found}
        slow = [s for s in found if s[0] == "Seq Scan"]
        assert slow == [], f"sequential scans in the generic plan: {slow}"


async def due_plan_scans(conn, statement: str, settings: list[str]) -> list[tuple[str, str]]:
    """The job look-up's generic plan (its inputs are the function's two arrays)."""
    statement = statement.replace("v_locked", "$1").replace("v_seqs", "$2")
    async with conn.transaction():
        for setting in settings:
            name, value = setting.split("=", 1)
            await conn.execute("SELECT set_config($1, $2, true)", name, value)
        await conn.execute("PREPARE due_plan(uuid[], bigint[]) AS " + statement)
        try:
            (raw,) = await conn.fetchrow(
                f"EXPLAIN (FORMAT JSON) EXECUTE due_plan(ARRAY['{uuid.uuid4()}']::uuid[], "
                "ARRAY[0]::bigint[])"
            )
        finally:
            await conn.execute("DEALLOCATE due_plan")
    plan = json.loads(raw) if isinstance(raw, str) else raw
    return scans(plan[0]["Plan"])


async def test_without_those_settings_the_same_plan_would_scan_the_tables(db):
    """The check above can fail: on this small test database the planner's own choice for
    the same statement, without the function's settings, is sequential scans."""
    async with db.connection() as conn:
        source = await conn.fetchval(
            "SELECT prosrc FROM pg_proc WHERE oid = $1::regprocedure", SIGNATURE
        )
        _, main, _ = statements(source)
        found = await generic_plan_scans(conn, main, ["plan_cache_mode=force_generic_plan"])
        assert any(s[0] == "Seq Scan" and s[1] in BIG_TABLES for s in found), found
