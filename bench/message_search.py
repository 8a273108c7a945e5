"""Message search benchmark (issue 13): `GET /api/messages/search` for a user in 50
conversations over a million stored messages.

    python bench/message_search.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--reuse] [--load-only] [--runs 5] [--requests 200]

Builds its own database, rizeos_msgsearch, through the project's migrations plus set-based
SQL (unless --reuse finds it loaded; a reused database gets any migration added since):

* 20,000 conversations of two people, 45 messages each, among 20,000 users;
* the searcher (user 1) in 50 conversations of 2,000 messages each (100,000 of the
  1,000,000 messages: an active recruiter's inbox), one every 5 minutes, the conversations
  a week apart;
* text: slices of 3 to 23 words of real English prose (the 1,016 O*NET 29.2 occupation
  descriptions run together, see bench/matching.py), so word frequencies follow real
  text's long tail, some with a chat opener ("Thanks!", "Hi,").

Then starts a real `python -m server` (bench/server_process.py) and measures the search
over HTTP one request at a time: `--runs` runs of `--requests` requests per query, p50 and
p99 of each run, the median of the runs reported, for common, middling and rare words, a
prefix, two words, and the second page of a common word. Wrap it in
`flock /tmp/rizeos-bench.lock` on a shared box.
"""

# The SQL below is built from this module's own constants, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from matching import onet_occupations  # noqa: E402
from scale import migrate, percentile, with_database  # noqa: E402
from scale_data import _secondary_indexes, _step, uid  # noqa: E402
from server_process import start_server, wait_ready  # noqa: E402

from server.db import load_queries  # noqa: E402
from server.messaging.search import walk_is_cheaper  # noqa: E402

DATABASE = "rizeos_msgsearch"
SEARCHER = 1
USERS = 20_000
OTHER_CONVERSATIONS = 20_000
PER_OTHER = 45
MINE = 50
PER_MINE = 2_000
TOKEN = "message-search-bench-session-0123456789abcdef"  # noqa: S105 (a bench session)
OPENERS = ("Hi, ", "Thanks! ", "Hello, ", "Sure, ", "Quick question: ", "Great, ", "", "", "")
LOADED = "message search bench: loaded"
FRAGMENTS = 200_000

# (label, q): the share of the searcher's 100,000 messages each matches is printed with
# the results (measured on the loaded database, not assumed).
QUERIES = (
    ("common word", "and"),
    ("common word", "equipment"),
    ("common word", "work"),
    ("middling word", "customers"),
    ("middling word", "glass"),
    ("rare word", "geological"),
    ("rare word", "sonar"),
    ("prefix (last word)", "manag"),
    ("rare prefix", "acupunct"),
    ("two words", "equipment repair"),
    ("no match", "zzyzx"),
)


async def prepare(dsn: str, reuse: bool) -> str:
    url = with_database(dsn, DATABASE)
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if reuse and exists:
            conn = await asyncpg.connect(url)
            try:
                loaded = await conn.fetchval(
                    "SELECT obj_description('messages'::regclass) = $1", LOADED
                )
            finally:
                await conn.close()
            if loaded:
                applied = await migrate(url)
                print(f"{DATABASE}: reused" + (f", applied {applied}" if applied else ""))
                return url
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    print(f"{DATABASE}: loading", flush=True)
    began = time.monotonic()
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        await load(conn)
        await conn.execute(f"COMMENT ON TABLE messages IS '{LOADED}'")
    finally:
        await conn.close()
    print(f"{DATABASE}: loaded in {time.monotonic() - began:.0f} s", flush=True)
    return url


async def load(conn: asyncpg.Connection) -> None:
    timings: dict[str, float] = {}
    await conn.execute(
        "SET session_replication_role = replica; SET maintenance_work_mem = '1GB';"
        " SET work_mem = '256MB'; SET synchronous_commit = off; SELECT setseed(0.1306)"
    )
    # FRAGMENTS slices of the prose (a seeded choice), numbered: each message is an opener
    # and one slice, looked up by number (one array per row would be detoasted per message).
    words = " ".join(d for _, d in onet_occupations()).split()
    rng = random.Random(20261306)
    fragments = []
    for n in range(FRAGMENTS):
        start, length = rng.randrange(len(words) - 30), rng.randint(3, 23)
        fragments.append((n, " ".join(words[start : start + length])))
    await conn.execute("CREATE TEMP TABLE fragments (n INT PRIMARY KEY, text TEXT)")
    await conn.copy_records_to_table("fragments", records=fragments)
    await conn.execute("CREATE TEMP TABLE openers (n INT PRIMARY KEY, text TEXT)")
    await conn.copy_records_to_table("openers", records=list(enumerate(OPENERS)))
    await conn.execute("ANALYZE fragments; ANALYZE openers")
    tables = ["users", "profiles", "conversations", "conversation_participants", "messages"]
    indexes = await _secondary_indexes(conn, tables)
    total = OTHER_CONVERSATIONS + MINE
    await _step(
        conn,
        f"users ({USERS:,}) and profiles",
        f"""
        INSERT INTO users (id, email, roles, is_verified)
        SELECT md5('user' || n)::uuid, 'user' || n || '@msgsearch.test', ARRAY['professional'],
               TRUE
        FROM generate_series(1, {USERS}) AS n;
        INSERT INTO profiles (user_id, full_name)
        SELECT md5('user' || n)::uuid, 'User ' || n FROM generate_series(1, {USERS}) AS n
        """,
        timings=timings,
    )
    # Conversations 1..MINE are the searcher's, a week apart, the newest first; the others
    # are spread over two years between random pairs (never the searcher).
    await _step(
        conn,
        f"conversations ({total:,}) and participants",
        f"""
        INSERT INTO conversations (id, created_by, created_at, last_seq, last_message_at)
        SELECT md5('conversation' || n)::uuid, md5('user' || a)::uuid, t, m,
               t + m * interval '5 minutes'
        FROM (
            SELECT n,
                   CASE WHEN n <= {MINE} THEN {SEARCHER}
                        ELSE 2 + floor(random() * {USERS - 1})::int END AS a,
                   CASE WHEN n <= {MINE} THEN {PER_MINE} ELSE {PER_OTHER} END AS m,
                   CASE WHEN n <= {MINE} THEN now() - n * interval '7 days'
                        ELSE now() - random() * interval '730 days' END AS t
            FROM generate_series(1, {total}) AS n
        ) c;
        INSERT INTO conversation_participants (conversation_id, user_id, last_read_seq)
        SELECT id, created_by, last_seq FROM conversations;
        INSERT INTO conversation_participants (conversation_id, user_id, last_read_seq)
        SELECT md5('conversation' || n)::uuid,
               md5('user' || (2 + (n::bigint * 7919) % ({USERS} - 1)))::uuid, 0
        FROM generate_series(1, {total}) AS n
        ON CONFLICT DO NOTHING
        """,
        timings=timings,
    )
    await _step(
        conn,
        "messages (1,000,000)",
        f"""
        INSERT INTO messages (conversation_id, sender_id, content, seq, client_msg_id, sent_at,
                              created_at, updated_at)
        SELECT g.conversation_id, g.sender_id, o.text || f.text, g.s, NULL, g.at, g.at, g.at
        FROM (
            SELECT c.id AS conversation_id, c.created_at + s * interval '5 minutes' AS at, s,
                   CASE WHEN s % 2 = 1 THEN c.created_by ELSE p.user_id END AS sender_id,
                   floor(random() * {FRAGMENTS})::int AS fn,
                   floor(random() * {len(OPENERS)})::int AS opn
            FROM conversations c
            JOIN conversation_participants p
              ON p.conversation_id = c.id AND p.user_id <> c.created_by
            CROSS JOIN LATERAL generate_series(1, c.last_seq) AS s
        ) g
        JOIN fragments f ON f.n = g.fn
        JOIN openers o ON o.n = g.opn
        """,
        timings=timings,
    )
    await conn.execute(
        "INSERT INTO sessions (user_id, token_hash, expires_at)"
        " VALUES ($1, $2, now() + interval '10 years')",
        uid("user", SEARCHER),
        hashlib.sha256(TOKEN.encode()).digest(),
    )
    began = time.monotonic()
    for definition in indexes:
        await conn.execute(definition)
    print(f"  {'secondary indexes':<34} {time.monotonic() - began:7.1f} s", flush=True)
    await conn.execute("RESET session_replication_role")
    await _step(conn, "vacuum analyze", "VACUUM (ANALYZE)", timings=timings)


async def shares(url: str) -> dict[str, float]:
    """The share of the searcher's messages each query matches, as the route matches."""
    conn = await asyncpg.connect(url)
    try:
        mine = await conn.fetchval(
            "SELECT count(*) FROM messages m JOIN conversation_participants p"
            " ON p.conversation_id = m.conversation_id AND p.user_id = $1",
            uid("user", SEARCHER),
        )
        found = {}
        for _, q in QUERIES:
            hits = await conn.fetchval(
                "SELECT count(*) FROM messages m JOIN conversation_participants p"
                " ON p.conversation_id = m.conversation_id AND p.user_id = $1"
                " WHERE m.search_vector"
                " @@ to_tsquery('simple', nullif(plainto_tsquery('simple', $2)::text, '') || ':*')",
                uid("user", SEARCHER),
                q,
            )
            found[q] = hits / mine
        return found
    finally:
        await conn.close()


async def compare_plans(url: str, repeats: int = 7) -> dict[str, dict[str, float | bool]]:
    """Each query's first page by both statements, straight over SQL (median ms of
    `repeats`), and the plan the service chooses: the figures behind the choice."""
    queries = load_queries().messaging
    conn = await asyncpg.connect(
        url, server_settings={"plan_cache_mode": "force_custom_plan", "jit": "off"}
    )
    user_id = uid("user", SEARCHER)
    found: dict[str, dict[str, float | bool]] = {}
    try:
        for _, q in QUERIES:
            estimate = await queries.get_search_estimate(conn, user_id=user_id, q=q)
            found[q] = {"walk chosen": walk_is_cheaper(estimate, 21)}
            for name in ("search_messages_walk", "search_messages_indexed"):
                params = {
                    "user_id": user_id,
                    "q": q,
                    "cursor_at": None,
                    "cursor_conversation_id": None,
                    "cursor_seq": None,
                    "limit": 21,
                }
                order = queries.driver_adapter.var_sorted[name]
                sql = getattr(queries, name).sql
                times = []
                for _ in range(repeats):
                    began = time.perf_counter()
                    async with conn.transaction(readonly=True):
                        if name == "search_messages_walk":
                            await queries.prefer_index_order(conn)
                        else:
                            await queries.prefer_search_index(conn)
                        await conn.fetch(sql, *(params[key] for key in order))
                    times.append((time.perf_counter() - began) * 1000)
                found[q][name.removeprefix("search_messages_")] = statistics.median(times)
    finally:
        await conn.close()
    return found


async def get(http: aiohttp.ClientSession, url: str) -> dict:
    async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")
        return json.loads(body)


async def measure(url: str, runs: int, requests: int) -> dict[str, dict]:
    port = 18000 + random.randrange(1000)
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, port)
    try:
        async with aiohttp.ClientSession() as http:
            await wait_ready(http, base)
            targets = {f"{label}: q={q}": "/api/messages/search?" + urlencode({"q": q})
                       for label, q in QUERIES}  # fmt: skip
            first = await get(http, base + "/api/messages/search?" + urlencode({"q": "and"}))
            targets["common word, page 2: q=and"] = "/api/messages/search?" + urlencode(
                {"q": "and", "cursor": first["next"]}
            )
            samples: dict[str, list[tuple[float, float]]] = {label: [] for label in targets}
            for path in targets.values():  # warm-up
                for _ in range(20):
                    await get(http, base + path)
            for _ in range(runs):
                for label, path in targets.items():
                    latencies = []
                    for _ in range(requests):
                        began = time.perf_counter()
                        await get(http, base + path)
                        latencies.append((time.perf_counter() - began) * 1000)
                    samples[label].append((percentile(latencies, 50), percentile(latencies, 99)))
    finally:
        server.terminate()
        server.wait(10)
    return {
        label: {
            "p50": statistics.median(p for p, _ in runs_),
            "p99": statistics.median(p for _, p in runs_),
            "runs": runs_,
        }
        for label, runs_ in samples.items()
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = await prepare(args.dsn, args.reuse)
    if args.load_only:
        return
    found = await shares(url)
    plans = await compare_plans(url, repeats=3)
    results = await measure(url, args.runs, args.requests)
    print(f"\nmachine: {machine()}")
    print("\nfirst page (21 rows) by each statement over SQL, median of 3 (ms):")
    print(f"{'q':<20} {'matches':>8} {'walk':>8} {'indexed':>8}  chosen")
    for q, plan in plans.items():
        chosen = "walk" if plan["walk chosen"] else "indexed"
        print(f"{q:<20} {found[q]:8.2%} {plan['walk']:8.2f} {plan['indexed']:8.2f}  {chosen}")
    print(f"\nHTTP: {args.runs} runs x {args.requests} sequential requests, medians of the runs\n")
    print(f"{'query':<44} {'matches':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for label, r in results.items():
        q = label.rsplit("q=", 1)[1]
        share = f"{found[q]:.2%}" if q in found else ""
        print(f"{label:<44} {share:>8} {r['p50']:8.2f} {r['p99']:8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
