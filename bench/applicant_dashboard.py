"""Applicant dashboard benchmark (issue 15, item 4): one job with 10,000 applications, and
the p50/p99 of GET /api/jobs/{job_id}/applications for every status filter x sort over real
HTTP, with the first page and a deep page, next to the on-the-fly ranking it replaces.

    python -m bench.applicant_dashboard [--dsn postgresql://postgres@127.0.0.1:5432/postgres]
        [--applications 10000] [--runs 3] [--requests 100] [--json FILE] [--keep]

bench/careers.py calls ``await run(dsn)`` and prints the dict it returns.

Data (set-based SQL into a throwaway database made by the project's migrations, so the
triggers of migration 0021 score every application as the application path does): one
company, its recruiter (a session of its own), one job asking for five skills, and
`applications` candidates whose profiles have 3 to 8 of 40 tech skills (0 to 2 verified), a
headline and a job title; statuses spread as a busy job's are (40% submitted, 25% viewed,
10% shortlisted, 5% interviewing, 1% offered, 0.5% hired, 15% rejected, 3.5% withdrawn),
submitted over 60 days. The server is a real ``python -m server`` (bench/server_process.py),
each figure a sequential HTTP round trip: `runs` runs of `requests` requests per target,
p50 and p99 of each run, the median of the runs reported. Besides the list: the CSV export of
all applications, a bulk move of 100, and the rescoring of every application when the job's
skills change (the trigger, timed in SQL). The database is dropped at the end unless --keep.
"""

# The SQL below is built from this module's own constants and sizes, never from input.
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
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.server_process import start_server, wait_ready  # noqa: E402
from server.db import Database, apply_migrations  # noqa: E402
from server.paging import encode_cursor  # noqa: E402

# One database per process: bench/careers.py may run this while another run is going.
DB_NAME = f"rizeos_bench_dashboard_{os.getpid()}"
TOKEN = "applicant-dashboard-bench-recruiter-0123456789abcdef"  # noqa: S105 (a bench session)
SKILLS = (
    "Python",
    "Django",
    "PostgreSQL",
    "Docker",
    "AWS",
    "Git",
    "Redis",
    "Go",
    "Kubernetes",
    "gRPC",
    "Kafka",
    "Linux",
    "SQL",
    "Spark",
    "Airflow",
    "dbt",
    "Snowflake",
    "Pandas",
    "scikit-learn",
    "Statistics",
    "R",
    "PyTorch",
    "TensorFlow",
    "MLOps",
    "JavaScript",
    "TypeScript",
    "React",
    "CSS",
    "HTML",
    "Jest",
    "Node.js",
    "Terraform",
    "Ansible",
    "Java",
    "Spring",
    "Hibernate",
    "Maven",
    "Kotlin",
    "Swift",
    "Android",
)
HEADLINES = (
    "Python Developer",
    "Backend Engineer",
    "Data Engineer",
    "Data Scientist",
    "Frontend Developer",
    "DevOps Engineer",
    "Computer Science student",
)
STATUS_SHARES = (
    ("submitted", 0.40),
    ("viewed", 0.25),
    ("shortlisted", 0.10),
    ("interviewing", 0.05),
    ("offered", 0.01),
    ("hired", 0.005),
    ("rejected", 0.15),
    ("withdrawn", 0.035),
)
FILTERS = (None, "submitted", "shortlisted", "hired")
SORTS = ("newest", "oldest", "score")
PAGE = 20
DEEP = 5000  # the deep page: after the first 5,000 applications of the sort


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


async def load(url: str, applications: int) -> dict[str, str]:
    """Fill the migrated database; returns the ids the targets need."""
    conn = await asyncpg.connect(url)
    try:
        statuses = "ARRAY[" + ",".join(f"'{s}'" for s, _ in STATUS_SHARES) + "]"
        bounds = (
            "ARRAY["
            + ",".join(
                str(round(sum(share for _, share in STATUS_SHARES[: i + 1]), 4))
                for i in range(len(STATUS_SHARES))
            )
            + "]"
        )
        skills = "ARRAY[" + ",".join(f"'{s}'" for s in SKILLS) + "]"
        headlines = "ARRAY[" + ",".join(f"'{h}'" for h in HEADLINES) + "]"
        await conn.execute(
            f"""
            SELECT setseed(0.15);
            INSERT INTO users (id, email, roles, is_verified)
            SELECT md5('dash-user' || n)::uuid, 'dash' || n || '@bench.test',
                   CASE WHEN n = 0 THEN ARRAY['professional'] ELSE ARRAY['student'] END, TRUE
            FROM generate_series(0, {applications}) AS n;
            INSERT INTO organizations (id, name, type, created_by)
            VALUES (md5('dash-company')::uuid, 'Dashboard Bench Co', 'company',
                    md5('dash-user0')::uuid);
            INSERT INTO organization_memberships (user_id, organization_id, role_in_org, status)
            VALUES (md5('dash-user0')::uuid, md5('dash-company')::uuid, 'recruiter', 'active');
            INSERT INTO jobs (id, company_id, poster_id, title, description, skills_required,
                              employment_type)
            VALUES (md5('dash-job')::uuid, md5('dash-company')::uuid, md5('dash-user0')::uuid,
                    'Senior Python Developer',
                    'Build and maintain backend services and APIs in Python; write tests, review '
                    'code and keep our data pipelines healthy. Required skills: Python, Django, '
                    'PostgreSQL, Docker, AWS.',
                    ARRAY['Python', 'Django', 'PostgreSQL', 'Docker', 'AWS'], 'full_time');
            INSERT INTO profiles (user_id, full_name, headline, skills, experience)
            SELECT md5('dash-user' || n)::uuid, 'Candidate ' || n,
                   ({headlines})[1 + floor(random() * {len(HEADLINES)})::int],
                   jsonb_build_object(
                       'claimed', (
                           SELECT jsonb_agg(DISTINCT
                                            ({skills})[1 + floor(random() * {len(SKILLS)})::int])
                           FROM generate_series(1, 3 + n % 6) AS k(i)),
                       'verified', (
                           SELECT coalesce(jsonb_agg(({skills})[1 + floor(random() * 5)::int]),
                                           '[]')
                           FROM generate_series(1, n % 3) AS k(i))),
                   jsonb_build_array(jsonb_build_object('title', 'Software Engineer',
                                                        'company', 'Company ' || n % 97))
            FROM generate_series(1, {applications}) AS n;
            INSERT INTO job_applications (job_id, candidate_id, status, submitted_at, cover_letter,
                                          resume_url, resume_filename, resume_uploaded_at)
            SELECT md5('dash-job')::uuid, md5('dash-user' || n)::uuid,
                   ({statuses})[(SELECT min(i) FROM unnest({bounds}::float8[]) WITH ORDINALITY
                                 AS b(bound, i) WHERE r.x <= b.bound)],
                   now() - random() * interval '60 days', 'I would love to join your team.',
                   'https://files.bench.test/resume-' || n || '.pdf', 'resume-' || n || '.pdf',
                   now() - interval '90 days'
            FROM generate_series(1, {applications}) AS n
            CROSS JOIN LATERAL (SELECT random() * 0.99999 + n * 0 AS x) AS r;
            INSERT INTO sessions (user_id, token_hash, expires_at)
            VALUES (md5('dash-user0')::uuid, $1, now() + interval '1 day');
            """.replace("$1", "'\\x" + hashlib.sha256(TOKEN.encode()).hexdigest() + "'::bytea"),
        )
        await conn.execute("VACUUM (ANALYZE)")
        job_id = await conn.fetchval("SELECT md5('dash-job')::uuid")
        return {"job_id": str(job_id)}
    finally:
        await conn.close()


async def deep_cursor(url: str, job_id: str, sort: str) -> str:
    order = {
        "score": "match_score DESC, submitted_at DESC, id DESC",
        "newest": "submitted_at DESC, id DESC",
        "oldest": "submitted_at, id",
    }[sort]
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            f"SELECT id, match_score, submitted_at FROM job_applications WHERE job_id = $1"
            f" ORDER BY {order} OFFSET $2 LIMIT 1",
            uuid.UUID(job_id),
            DEEP - 1,
        )
    finally:
        await conn.close()
    if sort == "score":
        return encode_cursor(sort, row["match_score"], row["submitted_at"], row["id"])
    return encode_cursor(sort, row["submitted_at"], row["id"])


async def get(http: aiohttp.ClientSession, url: str) -> bytes:
    async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")
        return body


async def targets(url: str, job_id: str) -> dict[str, str]:
    path = f"/api/jobs/{job_id}/applications"
    found = {}
    for status in FILTERS:
        for sort in SORTS:
            query = {"sort": sort, "limit": PAGE, **({"status": status} if status else {})}
            found[f"status={status or 'all'} sort={sort}"] = f"{path}?{urlencode(query)}"
    for sort in SORTS:
        cursor = await deep_cursor(url, job_id, sort)
        query = urlencode({"sort": sort, "limit": PAGE, "cursor": cursor})
        found[f"status=all sort={sort} after {DEEP:,}"] = f"{path}?{query}"
    # What sorting by score cost before the stored score: every applicant scored per request.
    found["on the fly: /candidates?limit=20"] = f"/api/jobs/{job_id}/candidates?limit={PAGE}"
    # The floor on this box at this moment: an authenticated request that reads one row.
    found["baseline: /api/me"] = "/api/me"
    return found


async def timed(coro) -> float:
    began = time.perf_counter()
    await coro
    return (time.perf_counter() - began) * 1000


async def measure(base: str, url: str, job_id: str, runs: int, requests: int) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        await wait_ready(http, base)
        chosen = await targets(url, job_id)
        for path in chosen.values():  # warm-up
            for _ in range(10):
                await get(http, base + path)
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label in chosen}
        for _ in range(runs):
            for label, path in chosen.items():
                latencies = [await timed(get(http, base + path)) for _ in range(requests)]
                samples[label].append((percentile(latencies, 50), percentile(latencies, 99)))
        export = [
            await timed(get(http, base + f"/api/jobs/{job_id}/applications.csv"))
            for _ in range(max(3, runs))
        ]
        bulk = await bulk_moves(http, base, url, job_id, max(3, runs))
    return {
        "endpoints": {
            label: {
                "p50_ms": round(statistics.median(p50 for p50, _ in runs_), 2),
                "p99_ms": round(statistics.median(p99 for _, p99 in runs_), 2),
            }
            for label, runs_ in samples.items()
        },
        "csv_export_all_ms": round(statistics.median(export), 1),
        "bulk_move_100_ms": round(statistics.median(bulk), 1),
    }


async def bulk_moves(
    http: aiohttp.ClientSession, base: str, url: str, job_id: str, times: int
) -> list[float]:
    """Reject 100 submitted applications at a time (each run a fresh hundred)."""
    conn = await asyncpg.connect(url)
    try:
        ids = [
            str(r["id"])
            for r in await conn.fetch(
                "SELECT id FROM job_applications WHERE job_id = $1 AND status = 'submitted'"
                " ORDER BY id LIMIT $2",
                uuid.UUID(job_id),
                100 * times,
            )
        ]
    finally:
        await conn.close()
    took = []
    for n in range(times):
        body = {"application_ids": ids[n * 100 : (n + 1) * 100], "status": "rejected"}
        began = time.perf_counter()
        async with http.post(
            base + f"/api/jobs/{job_id}/applications/status",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response:
            result = await response.json()
            assert response.status == 200 and len(result["moved"]) == 100, result
        took.append((time.perf_counter() - began) * 1000)
    return took


async def rescore_on_job_edit(url: str, job_id: str, times: int) -> float:
    """The trigger's cost: every application rescored when the job's skills change."""
    conn = await asyncpg.connect(url)
    took = []
    try:
        for n in range(times):
            skills = ["Python", "Django", "PostgreSQL", "Docker", "AWS"][: 5 - n % 2]
            began = time.perf_counter()
            await conn.execute(
                "UPDATE jobs SET skills_required = $2 WHERE id = $1", uuid.UUID(job_id), skills
            )
            took.append((time.perf_counter() - began) * 1000)
    finally:
        await conn.close()
    return round(statistics.median(took), 1)


async def run(
    dsn: str,
    applications: int = 10_000,
    runs: int = 3,
    requests: int = 100,
    keep: bool = False,
    port: int | None = None,
) -> dict[str, Any]:
    """Build the database, measure, drop it (unless ``keep``); the figures as a dict."""
    url = with_database(dsn, DB_NAME)
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await admin.close()
    try:
        db = await Database.connect(url, 1, 1)
        try:
            async with db.connection() as conn:
                await apply_migrations(conn, db.q)
        finally:
            await db.close()
        began = time.monotonic()
        ids = await load(url, applications)
        loaded_s = time.monotonic() - began
        port = port or 18000 + random.randrange(1000)
        server = start_server(url, port)
        try:
            figures = await measure(f"http://127.0.0.1:{port}", url, ids["job_id"], runs, requests)
        finally:
            server.terminate()
            server.wait(10)
        figures["rescore_on_job_edit_ms"] = await rescore_on_job_edit(url, ids["job_id"], 3)
    finally:
        if not keep:
            admin = await asyncpg.connect(with_database(dsn, "postgres"))
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            finally:
                await admin.close()
    return {
        "benchmark": "applicant dashboard",
        "machine": machine(),
        "applications": applications,
        "runs": runs,
        "requests_per_run": requests,
        "load_s": round(loaded_s, 1),
        **figures,
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"Applicant dashboard: {result['applications']:,} applications on one job, "
        f"{result['machine']['cpus']} CPUs; median of {result['runs']} runs of "
        f"{result['requests_per_run']} sequential requests",
        "| request | p50 ms | p99 ms |",
        "|---|---|---|",
    ]
    for label, figures in result["endpoints"].items():
        lines.append(f"| `{label}` | {figures['p50_ms']:.1f} | {figures['p99_ms']:.1f} |")
    lines += [
        f"CSV export of all: {result['csv_export_all_ms']:.0f} ms; "
        f"bulk move of 100: {result['bulk_move_100_ms']:.0f} ms; "
        f"rescoring all on a job skills edit: {result['rescore_on_job_edit_ms']:.0f} ms",
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    result = await run(args.dsn, args.applications, args.runs, args.requests, args.keep)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
