"""Data-scale benchmark (issue 12): the same endpoints on a 10k-job and a 1M-job database.

    python bench/scale.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres]
                          [--sizes 10k 1m] [--reuse] [--load-only] [--runs 3] [--requests 200]

Builds one database per size (rizeos_scale_10k, rizeos_scale_1m) through the project's
migrations (server.db.apply_migrations) plus set-based SQL (bench/scale_data.py says what is
in them), unless --reuse finds it already loaded; a reused database gets any migration added
since it was loaded. Then starts a real `python -m server` (RUN_WORKER=no) on each and
measures every list, search and history endpoint one request at a time over HTTP: `--runs`
runs of `--requests` requests per endpoint, p50 and p99 of each run, the median of the runs
reported; each endpoint is measured on both sizes back to back. Prints the table with the
large/small ratios. Measuring takes about 6 minutes; wrap it in
`flock /tmp/rizeos-bench.lock` on a shared box.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlparse, urlunparse

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scale_data import (  # noqa: E402
    LONG_CHAT,
    SIZES,
    Size,
    load,
    token_for,
    uid,
)
from server_process import start_server, wait_ready  # noqa: E402

from server.db import Database, apply_migrations  # noqa: E402
from server.paging import encode_cursor  # noqa: E402

# Search terms, from common to rare (share of the board's jobs that match, both sizes):
# "manager" ~13%, "python" ~8%, "nurse" ~1.2%, "geoscientist" ~0.06%.
TERMS = ("manager", "python", "nurse", "geoscientist")
# Skill combinations of 4, 5 and 6 skills: rare ones (one O*NET occupation's skills, in
# 0.004-0.013% of open jobs at 1M) and stack ones (skills each in 5-10% of jobs, together in
# 0.3-0.6%: the hard case for the skills index).
SKILL_SETS = (
    ("rare", "medical,disease processes,records,visual foxpro"),
    ("rare", "medical,disease processes,records,visual foxpro,purchase orders"),
    ("rare", "medical,disease processes,records,visual foxpro,purchase orders,reactor"),
    ("stack", "Python,Django,Docker,Redis"),
    ("stack", "Kubernetes,Terraform,AWS,Linux,Docker"),
    ("stack", "Python,SQL,Pandas,scikit-learn,Statistics,R"),
)
DEEP_OFFSET = 2000  # the "deep list page": the board after its first 2,000 jobs (page 101)


class Target(NamedTuple):
    label: str
    path: str
    token: str | None = None


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


async def get(http: aiohttp.ClientSession, url: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(url, headers=headers) as response:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")
        return json.loads(body)


async def targets(http: aiohttp.ClientSession, base: str, url: str) -> list[Target]:
    """The endpoints, with the fixed entities' ids and the cursors found on this database."""
    candidate, recruiter = token_for("candidate"), token_for("recruiter")
    job, chat = uid("job", 1), uid("conversation", 1)
    conn = await asyncpg.connect(url)
    try:
        deep = await conn.fetchrow(
            "SELECT created_at, id FROM jobs WHERE status = 'open'"
            " ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1",
            DEEP_OFFSET - 1,
        )
    finally:
        await conn.close()
    found = [
        Target("GET /api/jobs (newest)", "/api/jobs", None),
        Target(
            f"GET /api/jobs deep page (after {DEEP_OFFSET:,})",
            "/api/jobs?" + urlencode({"cursor": encode_cursor(deep["created_at"], deep["id"])}),
            None,
        ),
    ]
    for term in TERMS:
        found.append(Target(f"GET /api/jobs?q={term}", "/api/jobs?" + urlencode({"q": term})))
        cursor = None
        for _ in range(10):  # page 11: follow `next` ten times
            query = {"q": term, **({"cursor": cursor} if cursor else {})}
            cursor = (await get(http, base + "/api/jobs?" + urlencode(query), None))["next"]
            if cursor is None:
                break
        if cursor is not None:
            found.append(
                Target(
                    f"GET /api/jobs?q={term} page 11",
                    "/api/jobs?" + urlencode({"q": term, "cursor": cursor}),
                )
            )
    for kind, skills in SKILL_SETS:
        label = f"GET /api/jobs?skills= ({len(skills.split(','))} {kind})"
        found.append(Target(label, "/api/jobs?" + urlencode({"skills": skills})))
    found += [
        Target("GET /api/jobs/recommended", "/api/jobs/recommended", candidate),
        Target("GET /api/jobs/{id}", f"/api/jobs/{job}", None),
        Target("GET /api/conversations", "/api/conversations", candidate),
        Target("GET .../messages (newest)", f"/api/conversations/{chat}/messages", candidate),
        Target(
            "GET .../messages (older page)",
            f"/api/conversations/{chat}/messages?before={LONG_CHAT // 2}",
            candidate,
        ),
        Target("GET /api/jobs/{id}/applications", f"/api/jobs/{job}/applications", recruiter),
        Target("GET /api/jobs/{id}/candidates", f"/api/jobs/{job}/candidates", recruiter),
        Target("GET /api/notifications", "/api/notifications", candidate),
        Target("GET /api/notifications/unread-count", "/api/notifications/unread-count", candidate),
        Target("GET /api/me", "/api/me", candidate),
    ]
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(
    urls: dict[str, str], runs: int, requests: int, only: str | None, root: Path = ROOT
) -> dict:
    """p50 and p99 per size and endpoint, medians over `runs` runs of `requests` sequential
    requests. One server per size runs throughout, and each endpoint is measured on every
    size back to back (then the next endpoint, then the next run), so a busy spell on the
    shared box lands on both sizes rather than on one size's whole table."""
    servers, bases = {}, {}
    for name, url in urls.items():
        port = 18000 + random.randrange(1000)
        bases[name] = f"http://127.0.0.1:{port}"
        servers[name] = start_server(url, port, root)
    try:
        async with aiohttp.ClientSession() as http:
            chosen: dict[str, dict[str, Target]] = {}
            for name, url in urls.items():
                await wait_ready(http, bases[name])
                chosen[name] = {
                    t.label: t
                    for t in await targets(http, bases[name], url)
                    if not only or only in t.label
                }
            labels = [
                label
                for label in chosen[next(iter(urls))]
                if all(label in targets_ for targets_ in chosen.values())
            ]
            samples = {name: {label: [] for label in labels} for name in urls}
            for name in urls:  # warm-up
                for target in chosen[name].values():
                    for _ in range(20):
                        await get(http, bases[name] + target.path, target.token)
            for _ in range(runs):
                for label in labels:
                    for name in urls:
                        target = chosen[name][label]
                        latencies = []
                        for _ in range(requests):
                            began = time.perf_counter()
                            await get(http, bases[name] + target.path, target.token)
                            latencies.append((time.perf_counter() - began) * 1000)
                        samples[name][label].append(
                            (percentile(latencies, 50), percentile(latencies, 99))
                        )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(10)
    return {
        name: {
            label: {
                "p50": statistics.median(p50 for p50, _ in runs_),
                "p99": statistics.median(p99 for _, p99 in runs_),
                "runs": runs_,
            }
            for label, runs_ in by_label.items()
        }
        for name, by_label in samples.items()
    }


def table(results: dict[str, dict[str, dict]], small: str, large: str) -> str:
    lines = [
        f"| endpoint | {small} p50 / p99 ms | {large} p50 / p99 ms | ratio p50 / p99 |",
        "|---|---|---|---|",
    ]
    for label, a in results[small].items():
        b = results[large].get(label)
        if b is None:
            continue
        lines.append(
            f"| `{label}` | {a['p50']:.1f} / {a['p99']:.1f} | {b['p50']:.1f} / {b['p99']:.1f}"
            f" | {b['p50'] / a['p50']:.2f} / {b['p99'] / a['p99']:.2f} |"
        )
    return "\n".join(lines)


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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", help="measure only endpoints whose label contains this")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="run the server from this checkout (an older commit, for a before/after)",
    )
    args = parser.parse_args()
    urls = {name: await prepare(args.dsn, SIZES[name], args.reuse) for name in args.sizes}
    if args.load_only:
        return
    sizes = ", ".join(urls)
    print(f"measuring {sizes}: {args.runs} x {args.requests} requests per endpoint", flush=True)
    results = await measure(urls, args.runs, args.requests, args.only, args.server_root)
    for name, by_label in results.items():
        print(name)
        for label, figures in by_label.items():
            print(f"  {label:<44} p50 {figures['p50']:6.1f}  p99 {figures['p99']:6.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if len(args.sizes) == 2:
        print(table(results, *args.sizes))


if __name__ == "__main__":
    asyncio.run(main())
