"""The marketplace's query plans: GET /api/gigs's key queries on a seeded table of gigs.

Seeds N gigs (default 100,000; 2,000 sellers; one in 20 paused; prices in USD, EUR and INR;
1-30 delivery days; 60% with reviews) into a fresh database, then runs EXPLAIN (ANALYZE,
BUFFERS) of each sort and filter through the named queries of sql/gigs/gigs.sql, with the
server's connection settings (custom plans), and prints the plan and the median of 5 runs.
docs/marketplace.md quotes the figures.

    python bench/marketplace.py --dsn postgresql://postgres@127.0.0.1:5432/postgres [--gigs N]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.db import Database, apply_migrations, fetch_all  # noqa: E402

DB_NAME = "rizeos_bench_marketplace"
WORDS = ["python", "logo", "design", "api", "video", "seo", "react", "writing", "data", "mobile"]

SEED = """
SELECT setseed(0.16);
INSERT INTO users (email, roles, is_verified)
SELECT 'seller' || i || '@bench.test', '{freelancer}', TRUE FROM generate_series(1, 2000) i;
INSERT INTO profiles (user_id, full_name)
SELECT id, 'Seller ' || left(id::text, 6) FROM users;
INSERT INTO gigs (freelancer_id, title, description, skills, pricing_tiers, status, created_at)
SELECT s.id,
       'I will do ' || w.a || ' and ' || w.b || ' work #' || i,
       'A ' || w.a || ' service with ' || w.b || '.',
       ARRAY[w.a, w.b],
       jsonb_build_object('basic', jsonb_build_object(
           'price', 500 + (random() * 200000)::INT,
           'currency', (ARRAY['USD', 'USD', 'USD', 'EUR', 'INR'])[1 + i % 5],
           'delivery_days', 1 + (random() * 29)::INT,
           'description', 'Basic', 'revisions', 1)),
       CASE WHEN i % 20 = 0 THEN 'paused' ELSE 'active' END,
       now() - i * INTERVAL '1 minute'
FROM generate_series(1, $1::INT) i
CROSS JOIN LATERAL (SELECT ($2::TEXT[])[1 + i % 10] AS a, ($2::TEXT[])[1 + (i / 10) % 10] AS b) w
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users) s ON s.n = 1 + i % 2000;
UPDATE gigs SET rating_count = c, rating_sum = c * 3 + (random() * c * 2)::INT
FROM (SELECT id AS gid, 1 + (random() * 40)::INT AS c FROM gigs WHERE random() < 0.6) r
WHERE id = r.gid;
INSERT INTO seller_stats (user_id, completed_orders, rating_count, rating_sum)
SELECT freelancer_id, sum(rating_count) + 1, sum(rating_count), sum(rating_sum)
FROM gigs GROUP BY freelancer_id;
ANALYZE;
"""

NONE = {
    "skills_all": None,
    "skills_any": None,
    "freelancer_id": None,
    "currency": None,
    "min_price": None,
    "max_price": None,
    "max_delivery_days": None,
    "min_rating": None,
    "limit": 21,
}
CASES = [
    ("newest", "list_gig_keys_newest", {}),
    ("newest, page 50", "list_gig_keys_newest", {"page": 50}),
    ("newest, skills=python", "list_gig_keys_newest", {"skills_all": ["python"]}),
    ("newest, max_delivery_days=2", "list_gig_keys_newest", {"max_delivery_days": 2}),
    (
        "newest, USD 1000-1500",
        "list_gig_keys_newest",
        {"currency": "USD", "min_price": 1000, "max_price": 1500},
    ),
    ("rating", "list_gig_keys_by_rating", {}),
    ("rating, page 50", "list_gig_keys_by_rating", {"page": 50}),
    ("rating, min_rating=4.5", "list_gig_keys_by_rating", {"min_rating": Decimal("4.5")}),
    ("price, USD", "list_gig_keys_by_price", {"currency": "USD"}),
    ("price, USD, page 50", "list_gig_keys_by_price", {"currency": "USD", "page": 50}),
    (
        "price, EUR 1000-1500",
        "list_gig_keys_by_price",
        {"currency": "EUR", "min_price": 1000, "max_price": 1500},
    ),
    ("relevance, q=python", "list_gig_keys_by_relevance", {"q": "python"}),
    (
        "relevance, q=python logo, max_delivery_days=5",
        "list_gig_keys_by_relevance",
        {"q": "python logo", "max_delivery_days": 5},
    ),
]
AFTER = {
    "list_gig_keys_newest": ("after_created_at", "created_at"),
    "list_gig_keys_by_rating": ("after_rating", "rating", "after_count", "rating_count"),
    "list_gig_keys_by_price": ("after_price", "from_price"),
    "list_gig_keys_by_relevance": ("after_rank", "rank"),
}


def positional(query_name: str, params: dict) -> list:
    """The named query's parameters in the $n order aiosql gave them (first appearance)."""
    text = (ROOT / "sql" / "gigs" / "gigs.sql").read_text()
    body = text.split(f"-- name: {query_name}(", 1)[1].split("-- name:", 1)[0]
    body = body.split("\n", 1)[1]
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("--"))
    order = list(dict.fromkeys(re.findall(r"(?<![:\w]):([a-z_]+)", body)))
    return [params[name] for name in order]


async def params_for(db: Database, conn, name: str, given: dict) -> dict:
    """The query's parameters, walked `page` pages in (following each page's last key)."""
    pairs = AFTER[name]
    params = {**NONE, **{k: v for k, v in given.items() if k != "page"}, "after_id": None}
    params.update({pairs[i]: None for i in range(0, len(pairs), 2)})
    query = getattr(db.q.gigs, name)
    for _ in range(given.get("page", 1) - 1):
        rows = await fetch_all(query, conn, **params)
        last = rows[20]
        params["after_id"] = last["id"]
        params.update({pairs[i]: last[pairs[i + 1]] for i in range(0, len(pairs), 2)})
    return params


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", required=True, help="a PostgreSQL database to create ours from")
    parser.add_argument("--gigs", type=int, default=100_000)
    args = parser.parse_args()
    admin = await asyncpg.connect(args.dsn)
    await admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
    await admin.execute(f"CREATE DATABASE {DB_NAME}")
    url = args.dsn.rsplit("/", 1)[0] + "/" + DB_NAME
    try:
        db = await Database.connect(url, 1, 1)
        async with db.connection() as conn:
            await apply_migrations(conn, db.q)
            started = time.perf_counter()
            for statement in SEED.split(";\n"):
                if statement.strip():
                    binds = [args.gigs, WORDS] if "$1" in statement else []
                    await conn.execute(statement, *binds)
            print(f"seeded {args.gigs} gigs in {time.perf_counter() - started:.1f} s")
            for label, name, given in CASES:
                params = await params_for(db, conn, name, given)
                query = getattr(db.q.gigs, name)
                sql = query.sql
                values = positional(name, params)
                times = []
                for _ in range(5):
                    started = time.perf_counter()
                    await conn.fetch(sql, *values)
                    times.append((time.perf_counter() - started) * 1000)
                plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *values)
                print(f"\n-- {label}: {name}, median {statistics.median(times):.2f} ms")
                for row in plan:
                    print("   ", row[0])
        await db.close()
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
