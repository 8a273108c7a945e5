"""Careers benchmark (issue 15): job alerts at 100k alerts, the daily digest for 100k users,
then the applicant dashboard (H2's bench/applicant_dashboard.py, when it is there).

    python bench/careers.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres]
                            [--alerts 100000] [--burst 1000] [--stream 300] [--rate 10]
                            [--digest-users 100000] [--concurrency 8] [--runs 1]
                            [--digest-runs 1]

1. Matching throughput: `burst` jobs are written and their `job_alert_match` jobs queued in
   one transaction while the worker runs; jobs matched per second = burst / time until the
   queue is empty. Each job's candidates (alerts the inverted index hands the exact check)
   and matches are counted, and one job is also checked against every alert with the exact
   predicate alone (what matching would cost without the index).
2. Posting to notification: `stream` jobs posted through POST /api/jobs at `rate` per second;
   a job's latency is from its 201 to the moment its match job is gone from the queue (the
   match transaction, instant notifications included, has committed; they are emitted after
   that commit). Polled every 5 ms: a job is done at the start of the first poll whose
   snapshot no longer has it (jobs posted while a poll ran wait for the next), so each figure
   is late by at most one poll (5 ms and a query).
3. Digest: `digest-users` users with three pending daily matches each and their digest jobs
   due now; the time until every digest email has reached a real SMTP server (aiosmtpd, in
   this process) and the queue is empty.

Data: alert searches and job postings are drawn from the skills vocabulary (30,957
skills; a Zipf-like choice, so a few skills are common, as on a real board) and 60 title
words; the alert mix is 35% skills (all), 15% skills (any), 30% text (a title word, with a skill
word 70% of the time: "react developer"), 10% company, 8.5% location, type and a skill, 1%
remote only, 0.5% no filter (every job matches). Half are instant, half
daily. Rows are written with COPY into a throwaway database; the server is a real
`python -m server` process with its worker in-process (RUN_WORKER=yes), on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import json
import os
import platform
import random
import secrets
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import aiohttp
import asyncpg
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from server_process import start_server, wait_ready  # noqa: E402

from server.db import Database, apply_migrations  # noqa: E402
from server.enrichment.vocabulary import SKILLS_FILE  # noqa: E402

DB_NAME = "rizeos_bench_careers"
COMPANIES = 200
TITLE_WORDS = (
    "engineer",
    "developer",
    "analyst",
    "designer",
    "manager",
    "intern",
    "scientist",
    "consultant",
    "architect",
    "administrator",
    "specialist",
    "coordinator",
    "technician",
    "accountant",
    "nurse",
    "teacher",
    "writer",
    "editor",
    "marketing",
    "sales",
    "support",
    "operations",
    "product",
    "data",
    "backend",
    "frontend",
    "mobile",
    "cloud",
    "security",
    "platform",
    "research",
    "finance",
    "legal",
    "recruiter",
    "hr",
    "logistics",
    "warehouse",
    "driver",
    "chef",
    "barista",
    "tutor",
    "assistant",
    "lead",
    "senior",
    "junior",
    "principal",
    "staff",
    "associate",
    "director",
    "officer",
    "planner",
    "auditor",
    "economist",
    "biologist",
    "chemist",
    "physicist",
    "mechanic",
    "electrician",
    "welder",
)
PLACES = ("Berlin", "Munich", "London", "Paris", "Bangalore", "Pune", "New York", "Austin")
TYPES = ("full_time", "internship", "part_time", "contract")


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def skills_vocabulary() -> list[str]:
    return json.loads(SKILLS_FILE.read_text())


class Draw:
    """Zipf-like choices: the item at rank r is drawn with weight 1 / (r + 10)."""

    def __init__(self, items: list[str], rng: random.Random):
        self.items = items
        self.rng = rng
        self.weights = [1 / (rank + 10) for rank in range(len(items))]

    def some(self, k: int) -> list[str]:
        return list(dict.fromkeys(self.rng.choices(self.items, self.weights, k=k)))


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


class Seed:
    def __init__(self, conn: asyncpg.Connection, rng: random.Random):
        self.conn = conn
        self.rng = rng
        # the skills a posting may carry (server/fields.py SkillName: one line, 1-64 chars)
        vocabulary = [s for s in skills_vocabulary() if 0 < len(s) <= 64 and s.isprintable()]
        rng.shuffle(vocabulary)
        self.skills = Draw(vocabulary[:3000], rng)
        self.words = Draw(list(TITLE_WORDS), rng)
        self.recruiter = uuid.uuid4()
        self.companies = [uuid.uuid4() for _ in range(COMPANIES)]
        self.users: list[uuid.UUID] = []

    async def base(self) -> str:
        await self.conn.copy_records_to_table(
            "users",
            records=[(self.recruiter, "recruiter@bench.test", ["professional"], True)],
            columns=["id", "email", "roles", "is_verified"],
        )
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
        token = secrets.token_urlsafe(32)
        await self.conn.execute(
            "INSERT INTO sessions (user_id, token_hash, expires_at)"
            " VALUES ($1, $2, now() + interval '1 day')",
            self.recruiter,
            hashlib.sha256(token.encode()).digest(),
        )
        return token

    async def alerts(self, count: int) -> None:
        """One alert per user, `count` users."""
        self.users = [uuid.uuid4() for _ in range(count)]
        await self.conn.copy_records_to_table(
            "users",
            records=[
                (u, f"user{i}@bench.test", ["student"], True) for i, u in enumerate(self.users)
            ],
            columns=["id", "email", "roles", "is_verified"],
        )
        rows = []
        for user in self.users:
            kind = self.rng.random()
            q = skills = location = employment_type = remote = company = None
            match = "all"
            if kind < 0.35:
                skills = self.skills.some(self.rng.randint(1, 2))
            elif kind < 0.50:
                skills, match = self.skills.some(self.rng.randint(2, 3)), "any"
            elif kind < 0.80:  # "react developer", or one title word
                words = self.words.some(1)
                if self.rng.random() < 0.7:
                    words += [self.rng.choice(self.skills.some(1)).split()[0]]
                q = " ".join(words)
            elif kind < 0.90:
                company = self.rng.choice(self.companies)
            elif kind < 0.985:
                location = self.rng.choice(PLACES)
                employment_type = self.rng.choice(TYPES)
                skills = self.skills.some(1)
            elif kind < 0.995:
                remote = True
            frequency = "instant" if self.rng.random() < 0.5 else "daily"
            rows.append(
                (
                    user,
                    q,
                    skills or [],
                    match,
                    location,
                    employment_type,
                    remote,
                    company,
                    frequency,
                )
            )
        await self.conn.execute(
            "CREATE TEMP TABLE alert_seed (user_id UUID, q TEXT, skills TEXT[], skills_match TEXT,"
            " location TEXT, employment_type TEXT, remote BOOLEAN, company_id UUID, frequency TEXT)"
        )
        await self.conn.copy_records_to_table("alert_seed", records=rows)
        # The keys come from the same stored function the API's insert uses.
        await self.conn.execute(
            """
            INSERT INTO job_alerts (user_id, q, skills, skills_match, location, location_pattern,
                                    employment_type, remote, company_id, frequency, match_keys)
            SELECT user_id, q, skills, skills_match, location,
                   CASE WHEN location IS NOT NULL THEN '%' || location || '%' END,
                   employment_type, remote, company_id, frequency,
                   job_alert_keys(q, skills, skills_match, company_id, employment_type, remote)
            FROM alert_seed
            """
        )
        await self.conn.execute("ANALYZE job_alerts")

    def job_body(self) -> dict:
        words = self.words.some(4)
        return {
            "company_id": str(self.rng.choice(self.companies)),
            "title": " ".join(w.title() for w in words[:2]),
            "description": f"We are hiring: {' '.join(words)}. "
            f"Work with {' and '.join(self.skills.some(3))}.",
            "skills_required": self.skills.some(self.rng.randint(2, 6)),
            "location": self.rng.choice(PLACES),
            "employment_type": self.rng.choice(TYPES),
            "remote": self.rng.random() < 0.3,
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def queue_empty(conn: asyncpg.Connection, entrypoint: str) -> bool:
    return not await conn.fetchval(
        "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", entrypoint
    )


async def wait_empty(conn: asyncpg.Connection, entrypoint: str, within: float = 3600) -> None:
    deadline = time.monotonic() + within
    while not await queue_empty(conn, entrypoint):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{entrypoint} jobs still queued after {within} s")
        await asyncio.sleep(0.05)


async def burst(conn: asyncpg.Connection, seed: Seed, count: int) -> dict:
    """`count` jobs written and queued at once; the worker drains them."""
    bodies = [seed.job_body() for _ in range(count)]
    ids = [uuid.uuid4() for _ in bodies]
    async with conn.transaction():
        await conn.copy_records_to_table(
            "jobs",
            records=[
                (
                    i,
                    uuid.UUID(b["company_id"]),
                    seed.recruiter,
                    b["title"],
                    b["description"],
                    b["skills_required"],
                    b["location"],
                    b["employment_type"],
                    b["remote"],
                )
                for i, b in zip(ids, bodies, strict=True)
            ],
            columns=[
                "id",
                "company_id",
                "poster_id",
                "title",
                "description",
                "skills_required",
                "location",
                "employment_type",
                "remote",
            ],
        )
        started = time.monotonic()
        await conn.execute(
            """
            WITH job AS (
                INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)
                SELECT 0, 'job_alert_match',
                       convert_to(json_build_object('job_id', j)::TEXT, 'UTF8'), now(), 'queued'
                FROM unnest($1::UUID[]) AS j
                RETURNING id, entrypoint, priority
            )
            INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
            SELECT id, 'queued', entrypoint, priority FROM job
            """,
            ids,
        )
    await wait_empty(conn, "job_alert_match")
    elapsed = time.monotonic() - started
    stats = await conn.fetchrow(
        """
        SELECT avg(c.candidates) AS candidates, avg(c.matches) AS matches,
               max(c.candidates) AS max_candidates
        FROM (
            SELECT j.id,
                   (SELECT count(*) FROM job_alerts a
                    WHERE a.match_keys && job_probe_keys(j.company_id, j.skills_required,
                                                        j.search_vector, j.employment_type,
                                                        j.remote)) AS candidates,
                   (SELECT count(*) FROM job_alert_matches m WHERE m.job_id = j.id) AS matches
            FROM jobs j WHERE j.id = ANY($1::UUID[])
        ) c
        """,
        ids[:200],
    )
    # What one job costs checked against every alert with the exact predicate (no index).
    scan_started = time.monotonic()
    await conn.fetchval(
        """
        SELECT count(*) FROM jobs j, job_alerts a
        WHERE j.id = $1
          AND (a.q IS NULL OR j.search_vector @@ websearch_to_tsquery('english', a.q))
          AND (a.company_id IS NULL OR j.company_id = a.company_id)
          AND (a.employment_type IS NULL OR j.employment_type = a.employment_type)
          AND (a.remote IS NULL OR j.remote = a.remote)
          AND (a.skills_match <> 'all' OR lower_all(j.skills_required) @> lower_all(a.skills))
          AND (a.skills_match <> 'any' OR cardinality(a.skills) = 0
               OR lower_all(j.skills_required) && lower_all(a.skills))
          AND (a.location_pattern IS NULL OR j.location ILIKE a.location_pattern)
        """,
        ids[0],
    )
    scan_ms = (time.monotonic() - scan_started) * 1000
    return {
        "jobs": count,
        "seconds": elapsed,
        "jobs_per_second": count / elapsed,
        "candidates_per_job": float(stats["candidates"]),
        "max_candidates": stats["max_candidates"],
        "matches_per_job": float(stats["matches"]),
        "full_scan_ms_one_job": scan_ms,
    }


async def stream(
    base: str, token: str, conn: asyncpg.Connection, seed: Seed, count: int, rate: float
) -> dict:
    """Jobs posted at `rate` per second; each one's time from its 201 until its match job has
    committed (gone from the queue)."""
    posted: dict[str, float] = {}
    done: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {token}"}

    async def watch() -> None:
        while len(done) < count:
            # Only jobs posted before the query's snapshot can be judged by it: one whose 201
            # came while the query ran is absent from its rows without being done. A job
            # absent from the snapshot was done by the time it was taken (so `now`, before
            # the query, over-measures by at most one poll).
            now = time.monotonic()
            known = list(posted)
            rows = await conn.fetch(
                "SELECT convert_from(payload, 'UTF8')::JSON ->> 'job_id' AS job_id"
                " FROM pgqueuer WHERE entrypoint = 'job_alert_match'"
            )
            pending = {r["job_id"] for r in rows}
            for job_id in known:
                if job_id not in done and job_id not in pending:
                    done[job_id] = now
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    async with aiohttp.ClientSession(headers=headers) as http:
        start = time.monotonic()
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            async with http.post(base + "/api/jobs", json=seed.job_body()) as response:
                assert response.status == 201, await response.text()
                job = await response.json()
            posted[job["id"]] = time.monotonic()
    await asyncio.wait_for(watcher, 600)
    latencies = [(done[j] - posted[j]) * 1000 for j in posted]
    notified = await conn.fetchval(
        "SELECT count(*) FROM notifications WHERE type = 'job_alert.match'"
        " AND (payload -> 'job' ->> 'id') = ANY($1::TEXT[])",
        list(posted),
    )
    return {
        "jobs": count,
        "rate": rate,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies),
        "instant_notifications": notified,
    }


class Sink:
    """A real SMTP server that counts what it accepts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


async def digest(conn: asyncpg.Connection, seed: Seed, users: int, sink: Sink) -> dict:
    """`users` users with three pending daily matches each, their digests due now."""
    chosen = seed.users[:users]
    alert_of = dict(
        await conn.fetch(
            "SELECT user_id, id FROM job_alerts WHERE user_id = ANY($1::UUID[])", chosen
        )
    )
    jobs = [r["id"] for r in await conn.fetch("SELECT id FROM jobs WHERE status = 'open' LIMIT 50")]
    await conn.execute("DELETE FROM job_alert_matches WHERE user_id = ANY($1::UUID[])", chosen)
    await conn.copy_records_to_table(
        "job_alert_matches",
        records=[
            (alert_of[u], job, u, True)
            for u in chosen
            for job in random.Random(str(u)).sample(jobs, 3)
        ],
        columns=["alert_id", "job_id", "user_id", "digest_pending"],
    )
    # The digests the matching above queued are due at tomorrow's digest hour: this run's
    # digests replace them, due now.
    await conn.execute("DELETE FROM pgqueuer WHERE entrypoint = 'job_alert_digest'")
    before = sink.received
    started = time.monotonic()
    await conn.execute(
        """
        WITH job AS (
            INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status, dedupe_key)
            SELECT 0, 'job_alert_digest', convert_to(json_build_object('user_id', u)::TEXT, 'UTF8'),
                   now(), 'queued', 'job_alert_digest:' || u
            FROM unnest($1::UUID[]) AS u
            ON CONFLICT (dedupe_key) WHERE status IN ('queued', 'picked') AND dedupe_key IS NOT NULL
            DO NOTHING
            RETURNING id, entrypoint, priority
        )
        INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
        SELECT id, 'queued', entrypoint, priority FROM job
        """,
        chosen,
    )
    await wait_empty(conn, "job_alert_digest", within=7200)
    elapsed = time.monotonic() - started
    return {
        "users": users,
        "seconds": elapsed,
        "emails": sink.received - before,
        "emails_per_second": (sink.received - before) / elapsed,
    }


async def careers(args: argparse.Namespace) -> dict:
    rng = random.Random(15)
    url = await recreate_database(args.dsn)
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = None
    try:
        conn = await asyncpg.connect(url)
        seed = Seed(conn, rng)
        token = await seed.base()
        t = time.monotonic()
        await seed.alerts(args.alerts)
        seeded = time.monotonic() - t
        port = free_port()
        server = start_server(
            url,
            port,
            RUN_WORKER="yes",
            SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
            WORKER_CONCURRENCY=str(args.concurrency),
            DB_POOL_MAX=str(max(10, args.concurrency * 2 + 2)),
        )
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            await wait_ready(http, base)
        results: dict = {"alerts": args.alerts, "seed_seconds": seeded, "runs": []}
        for n in range(args.runs):
            run = {
                "burst": await burst(conn, seed, args.burst),
                "stream": await stream(base, token, conn, seed, args.stream, args.rate),
            }
            if n < args.digest_runs:
                users = min(args.digest_users, args.alerts)
                run["digest"] = await digest(conn, seed, users, sink)
            results["runs"].append(run)
            print(json.dumps(run, indent=2), flush=True)
        await conn.close()
        return results
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        controller.stop()
        if not args.keep:
            await drop_database(args.dsn)


async def applicant_dashboard(dsn: str) -> dict | str:
    """H2's benchmark (bench/applicant_dashboard.py), once it is merged."""
    try:
        module = importlib.import_module("bench.applicant_dashboard")
    except ModuleNotFoundError:
        return "not run: bench/applicant_dashboard.py (H2's) is not on this branch yet"
    return await module.run(dsn)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--stream", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--digest-users", type=int, default=100_000)
    parser.add_argument(
        "--concurrency", type=int, default=8, help="WORKER_CONCURRENCY of the server"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--digest-runs", type=int, default=1, help="how many of the runs also time the digest"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--skip-dashboard", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    results = {"careers": await careers(args)}
    if not args.skip_dashboard:
        results["applicant_dashboard"] = await applicant_dashboard(args.dsn)
    runs = results["careers"]["runs"]
    summary = {
        "jobs_matched_per_second": statistics.median(r["burst"]["jobs_per_second"] for r in runs),
        "post_to_notification_p50_ms": statistics.median(r["stream"]["p50_ms"] for r in runs),
        "post_to_notification_p99_ms": statistics.median(r["stream"]["p99_ms"] for r in runs),
        "digest_seconds": statistics.median(
            [r["digest"]["seconds"] for r in runs if "digest" in r] or [float("nan")]
        ),
    }
    results["summary (medians of runs)"] = summary
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    asyncio.run(main())
