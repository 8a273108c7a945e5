"""Bulk data for bench/scale.py: one board of `jobs` jobs with users, companies, profiles,
applications, conversations, messages and notifications, loaded by set-based SQL
(generate_series) into a database created through the project's migrations.

Rows get deterministic ids (`md5('job' || n)::uuid` and so on), so the fixed test entities
the benchmark measures (one candidate, one recruiter, one job with 300 applicants, one
conversation of 2,000 messages, 200 conversations and 500 notifications of the candidate)
are the same ids, the same rows and the same sizes in every database, and only the rest of
the board grows. Random values come from a seeded generator (`setseed`).

Titles and descriptions: the 1,016 O*NET 29.2 occupations (see bench/matching.py) for 80% of
jobs, ten software roles with their own stacks for the other 20%; skills are drawn from each
occupation's skill-vocabulary terms (server/enrichment/vocabulary.py) or the role's stack,
and the description ends with them, as posters write them.
"""

# The SQL below is built from this module's own constants and sizes, never from input.
# ruff: noqa: S608

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import asyncpg
from matching import occupation_skills, onet_occupations

# The software roles: title, stack (skills drawn from it), a description.
TECH_ROLES = (
    (
        "Python Developer",
        ["Python", "Django", "PostgreSQL", "Docker", "AWS", "Git", "Redis"],
        "Build and maintain backend services and APIs in Python; write tests, review code and "
        "keep our data pipelines healthy.",
    ),
    (
        "Backend Engineer",
        ["Go", "Python", "PostgreSQL", "Kubernetes", "gRPC", "Kafka", "Linux"],
        "Design services that handle millions of requests, own their reliability and work with "
        "product teams on new features.",
    ),
    (
        "Data Engineer",
        ["Python", "SQL", "Spark", "Airflow", "dbt", "Snowflake", "AWS"],
        "Build batch and streaming data pipelines, model warehouse tables and make data "
        "available to analysts and machine learning teams.",
    ),
    (
        "Data Scientist",
        ["Python", "SQL", "Pandas", "scikit-learn", "Statistics", "R"],
        "Turn data into decisions: experiments, forecasting models and clear write-ups for "
        "stakeholders.",
    ),
    (
        "Machine Learning Engineer",
        ["Python", "PyTorch", "TensorFlow", "MLOps", "Docker", "AWS"],
        "Train, evaluate and ship machine learning models to production, and monitor them "
        "once they are live.",
    ),
    (
        "Frontend Developer",
        ["JavaScript", "TypeScript", "React", "CSS", "HTML", "Jest"],
        "Build accessible, fast web interfaces with a design system and work closely with "
        "designers and backend engineers.",
    ),
    (
        "Full Stack Developer",
        ["JavaScript", "TypeScript", "Node.js", "React", "PostgreSQL"],
        "Own features end to end, from the database schema to the user interface.",
    ),
    (
        "DevOps Engineer",
        ["Kubernetes", "Terraform", "AWS", "Linux", "Docker", "Ansible"],
        "Automate infrastructure, run CI/CD pipelines and keep production observable and secure.",
    ),
    (
        "Java Developer",
        ["Java", "Spring", "Hibernate", "SQL", "Maven", "Microservices"],
        "Develop enterprise applications and integrations on the JVM.",
    ),
    (
        "Mobile Developer",
        ["Kotlin", "Swift", "Android", "iOS", "Firebase", "Git"],
        "Build native mobile apps used by thousands of customers every day.",
    ),
)
PREFIXES = ("", "", "", "Senior ", "Junior ", "Lead ", "Associate ", "Principal ")
CITIES = (
    "Bengaluru",
    "Mumbai",
    "Delhi",
    "Hyderabad",
    "Pune",
    "Chennai",
    "Kolkata",
    "London",
    "Berlin",
    "Amsterdam",
    "Paris",
    "New York",
    "San Francisco",
    "Austin",
    "Toronto",
    "Singapore",
    "Sydney",
    "Dublin",
    "Lisbon",
    "Warsaw",
)
PERKS = (
    "We offer flexible hours, a learning budget and health insurance.",
    "The team works in two-week iterations and ships every day.",
    "You will mentor junior colleagues and help shape our hiring.",
    "This role reports to the head of the department.",
    "Hybrid work: two days a week in the office.",
    "Travel up to 20% of the time may be required.",
    "We value clear writing and kind code reviews.",
    "Relocation support is available for this position.",
)
CHAT = (
    "Thanks for applying! Are you free for a call this week?",
    "Sure, Tuesday afternoon works for me.",
    "Great, I will send an invite.",
    "Could you share a bit more about your last project?",
    "I led the migration of our billing system to a new database.",
    "Sounds good, see you then.",
    "We would like to move you to the next round.",
    "Thank you, looking forward to it!",
    "Do you have any questions about the role?",
    "What does the team's on-call rotation look like?",
)


@dataclass(frozen=True)
class Size:
    """How many of each thing a board has (the fixed entities come on top)."""

    name: str
    jobs: int
    users: int
    companies: int
    applications: int
    conversations: int
    messages_per_conversation: int
    notifications: int


SIZES = {
    "10k": Size("10k", 10_000, 20_000, 500, 20_000, 10_000, 10, 40_000),
    "1m": Size("1m", 1_000_000, 200_000, 20_000, 2_000_000, 500_000, 10, 2_000_000),
}

# The fixed entities (identical in every database). Users 1..FIXED_USERS and companies 1
# are reserved; random rows start above them.
CANDIDATE, RECRUITER = 1, 2
APPLICANTS = range(3, 303)  # users who applied to the fixed job
FIXED_USERS = 1000
FIXED_JOBS = 50  # the fixed company's jobs; job 1 is the one with 300 applicants
FIXED_CONVERSATIONS = 200  # the candidate's; conversation 1 has LONG_CHAT messages
LONG_CHAT = 2000
FIXED_NOTIFICATIONS = 500


def uid(kind: str, n: int) -> str:
    """The deterministic id of row n of a kind, as SQL computes it: md5(kind || n)::uuid."""
    import hashlib
    import uuid

    return str(uuid.UUID(hashlib.md5(f"{kind}{n}".encode(), usedforsecurity=False).hexdigest()))


def token_for(name: str) -> str:
    """Session tokens of the fixed users are fixed too, so --reuse needs no state file."""
    return f"scale-bench-session-{name}-0123456789abcdef"


async def _step(conn: asyncpg.Connection, label: str, sql: str, *args, timings: dict) -> None:
    began = time.monotonic()
    await conn.execute(sql, *args)
    timings[label] = time.monotonic() - began
    print(f"  {label:<34} {timings[label]:7.1f} s", flush=True)


async def _reference_tables(conn: asyncpg.Connection) -> None:
    rng = random.Random(20261206)
    occupations = onet_occupations()
    skills = occupation_skills(occupations, rng)
    await conn.execute(
        "CREATE TEMP TABLE scale_occupations (n INT PRIMARY KEY, title TEXT, description TEXT,"
        " skills TEXT[])"
    )
    await conn.copy_records_to_table(
        "scale_occupations",
        records=[
            (i, t, d, s) for i, ((t, d), s) in enumerate(zip(occupations, skills, strict=True))
        ],
    )
    await conn.execute(
        "CREATE TEMP TABLE scale_roles (n INT PRIMARY KEY, title TEXT, description TEXT,"
        " skills TEXT[])"
    )
    await conn.copy_records_to_table(
        "scale_roles",
        records=[(i, t, d, s) for i, (t, s, d) in enumerate(TECH_ROLES)],
    )


async def _secondary_indexes(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """The definitions of the tables' indexes that back no constraint (dropped for the load,
    rebuilt after it exactly as the migrations made them)."""
    rows = await conn.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i
        WHERE i.indrelid = ANY (SELECT t::regclass FROM unnest($1::text[]) AS t)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        tables,
    )
    for row in rows:
        await conn.execute(f"DROP INDEX {row['name']}")
    return [row["def"] for row in rows]


async def load(conn: asyncpg.Connection, size: Size) -> dict[str, float]:
    """Fill an empty, migrated database; returns seconds per step."""
    timings: dict[str, float] = {}
    await conn.execute(
        "SET session_replication_role = replica;"  # no FK checks or triggers during the load
        " SET maintenance_work_mem = '1GB'; SET work_mem = '256MB';"
        " SET synchronous_commit = off; SELECT setseed(0.1206)"
    )
    await _reference_tables(conn)
    big = ["users", "profiles", "organizations", "organization_memberships", "jobs",
           "job_match_keys", "job_applications", "conversations", "conversation_participants",
           "messages", "notifications"]  # fmt: skip
    indexes = await _secondary_indexes(conn, big)
    s = size
    await _step(
        conn,
        f"users ({s.users:,})",
        f"""
        INSERT INTO users (id, email, roles, is_verified, created_at)
        SELECT md5('user' || n)::uuid, 'user' || n || '@scale.test',
               CASE WHEN n = {RECRUITER} OR n BETWEEN {FIXED_USERS} AND {FIXED_USERS + s.companies}
                    THEN ARRAY['professional'] ELSE ARRAY['student'] END,
               TRUE, now() - random() * interval '900 days'
        FROM generate_series(1, {s.users + FIXED_USERS}) AS n
        """,
        timings=timings,
    )
    await _step(
        conn,
        "profiles",
        f"""
        INSERT INTO profiles (user_id, full_name, headline, skills, experience)
        SELECT md5('user' || u.n)::uuid, 'User ' || u.n, o.title,
               jsonb_build_object('claimed', to_jsonb(o.skills[1:4 + u.n % 4]),
                                  'verified', to_jsonb(o.skills[1:u.n % 3])),
               jsonb_build_array(jsonb_build_object('title', o.title,
                                                    'company', 'Company ' || u.n % 97))
        FROM generate_series({FIXED_USERS + s.companies + 1}, {s.users + FIXED_USERS}) AS u(n)
        JOIN scale_occupations o ON o.n = u.n % 1016
        """,
        timings=timings,
    )
    await _step(
        conn,
        f"companies ({s.companies:,})",
        """
        INSERT INTO organizations (id, name, type, created_by, location, is_verified)
        SELECT md5('company' || n)::uuid, 'Company ' || n, 'company',
               md5('user' || CASE WHEN n = 1 THEN $2 ELSE $3 + n END)::uuid,
               ($4::text[])[1 + n % 20], n % 3 = 0
        FROM generate_series(1, $1) AS n;
        INSERT INTO organization_memberships (user_id, organization_id, role_in_org, status)
        SELECT md5('user' || CASE WHEN n = 1 THEN $2 ELSE $3 + n END)::uuid,
               md5('company' || n)::uuid, 'recruiter', 'active'
        FROM generate_series(1, $1) AS n
        """.replace("$1", str(s.companies))
        .replace("$2", str(RECRUITER))
        .replace("$3", str(FIXED_USERS))
        .replace("$4::text[]", _array(CITIES)),
        timings=timings,
    )
    await _step(
        conn,
        f"jobs ({s.jobs:,})",
        f"""
        SELECT setseed(0.5);
        INSERT INTO jobs (id, company_id, poster_id, title, description, skills_required,
                          status, closed_at, location, employment_type, remote, salary_min,
                          salary_max, salary_currency, created_at, updated_at)
        SELECT md5('job' || g.n)::uuid, md5('company' || g.c)::uuid,
               md5('user' || CASE WHEN g.c = 1 THEN {RECRUITER} ELSE {FIXED_USERS} + g.c END)::uuid,
               g.prefix || CASE WHEN g.tech THEN r.title ELSE o.title END,
               CASE WHEN g.tech THEN r.description ELSE o.description END
                   || ' ' || g.perk || ' Required skills: '
                   || array_to_string(k.skills, ', ') || '.',
               k.skills,
               CASE WHEN g.closed THEN 'closed' ELSE 'open' END,
               CASE WHEN g.closed THEN g.created_at + interval '30 days' END,
               CASE WHEN g.remote THEN NULL ELSE g.city END,
               g.kind, g.remote,
               CASE WHEN g.paid THEN g.salary END,
               CASE WHEN g.paid THEN g.salary + 1500000 END,
               CASE WHEN g.paid THEN 'USD' END,
               g.created_at, g.created_at
        FROM (
            SELECT n,
                   CASE WHEN n <= {FIXED_JOBS} THEN 1
                        ELSE 2 + floor(random() * {s.companies - 1})::int END AS c,
                   CASE WHEN n <= {FIXED_JOBS} THEN n % 3 = 1 ELSE random() < 0.2 END AS tech,
                   floor(random() * 1016)::int AS oi,
                   CASE WHEN n <= {FIXED_JOBS} THEN n % 10
                        ELSE floor(random() * {len(TECH_ROLES)})::int END AS ri,
                   ({_array(PREFIXES)})[1 + floor(random() * {len(PREFIXES)})::int] AS prefix,
                   ({_array(PERKS)})[1 + floor(random() * {len(PERKS)})::int] AS perk,
                   ({_array(CITIES)})[1 + floor(random() * {len(CITIES)})::int] AS city,
                   (ARRAY['full_time', 'full_time', 'full_time', 'part_time', 'contract',
                          'internship'])[1 + floor(random() * 6)::int] AS kind,
                   random() < 0.2 AS remote,
                   n > {FIXED_JOBS} AND random() < 0.12 AS closed,
                   random() < 0.6 AS paid,
                   (3000000 + floor(random() * 12000000))::bigint AS salary,
                   3 + floor(random() * 4)::int AS nskills,
                   CASE WHEN n <= {FIXED_JOBS} THEN now() - n * interval '1 hour'
                        -- posted over two years, in insertion order, as a live board is
                        ELSE now() - ({s.jobs} - n + random()) / {s.jobs}.0
                                     * interval '730 days' END AS created_at
            FROM generate_series(1, {s.jobs}) AS n
        ) g
        JOIN scale_occupations o ON o.n = g.oi
        JOIN scale_roles r ON r.n = g.ri
        CROSS JOIN LATERAL (
            SELECT (array_agg(x ORDER BY random() + g.n * 0))[1:g.nskills] AS skills
            FROM unnest(CASE WHEN g.tech THEN r.skills ELSE o.skills END) AS x
        ) k
        """,
        timings=timings,
    )
    await _step(
        conn,
        "job_match_keys (as its trigger)",
        "INSERT INTO job_match_keys (job_id, created_at, skill_keys)"
        " SELECT id, created_at, lower_all(skills_required) FROM jobs WHERE status = 'open'",
        timings=timings,
    )
    await _step(
        conn,
        f"applications ({s.applications:,})",
        f"""
        INSERT INTO job_applications (job_id, candidate_id, status, submitted_at, cover_letter)
        SELECT md5('job' || 1)::uuid, md5('user' || n)::uuid,
               (ARRAY['submitted', 'viewed', 'shortlisted', 'rejected'])[1 + n % 4],
               now() - n * interval '10 minutes', 'I would love to join your team.'
        FROM generate_series({APPLICANTS.start}, {APPLICANTS.stop - 1}) AS n;
        INSERT INTO job_applications (job_id, candidate_id, status, submitted_at, cover_letter)
        SELECT md5('job'
                   || (1 + {FIXED_JOBS} + floor(random() * {s.jobs - FIXED_JOBS})::int))::uuid,
               md5('user' || ({FIXED_USERS + s.companies + 1}
                              + floor(random() * {s.users - s.companies})::int))::uuid,
               (ARRAY['submitted', 'viewed', 'shortlisted', 'interviewing', 'rejected',
                      'withdrawn'])[1 + floor(random() * 6)::int],
               now() - random() * interval '700 days',
               CASE WHEN random() < 0.5 THEN 'Please find my resume attached.' END
        FROM generate_series(1, {s.applications}) AS n
        ON CONFLICT DO NOTHING
        """,
        timings=timings,
    )
    per = s.messages_per_conversation
    await _step(
        conn,
        f"conversations ({s.conversations:,})",
        f"""
        INSERT INTO conversations (id, created_by, created_at, last_seq, last_message_at)
        SELECT md5('conversation' || n)::uuid, md5('user' || a)::uuid, t,
               CASE WHEN n = 1 THEN {LONG_CHAT} ELSE {per} END, t + {per} * interval '1 minute'
        FROM (
            SELECT n, CASE WHEN n <= {FIXED_CONVERSATIONS} THEN {CANDIDATE}
                           ELSE {FIXED_USERS} + 1 + floor(random() * {s.users})::int END AS a,
                   CASE WHEN n <= {FIXED_CONVERSATIONS} THEN now() - n * interval '1 day'
                        ELSE now() - random() * interval '700 days' END AS t
            FROM generate_series(1, {s.conversations + FIXED_CONVERSATIONS}) AS n
        ) c;
        INSERT INTO conversation_participants (conversation_id, user_id, last_read_seq)
        SELECT c.id, c.created_by, c.last_seq FROM conversations c;
        INSERT INTO conversation_participants (conversation_id, user_id, last_read_seq)
        SELECT md5('conversation' || n)::uuid,
               md5('user' || CASE WHEN n <= {FIXED_CONVERSATIONS} THEN {APPLICANTS.start} + n
                                  ELSE {FIXED_USERS} + 1 + (n::bigint * 7919) % {s.users}
                             END)::uuid,
               {per - 1}
        FROM generate_series(1, {s.conversations + FIXED_CONVERSATIONS}) AS n
        ON CONFLICT DO NOTHING
        """,
        timings=timings,
    )
    await _step(
        conn,
        f"messages ({(s.conversations + FIXED_CONVERSATIONS - 1) * per + LONG_CHAT:,})",
        f"""
        INSERT INTO messages (conversation_id, sender_id, content, seq, client_msg_id, sent_at,
                              created_at, updated_at)
        SELECT c.id, CASE WHEN s % 2 = 1 THEN c.created_by ELSE p.user_id END,
               ({_array(CHAT)})[1 + abs((s + hashtext(c.id::text)) % {len(CHAT)})],
               s, c.id::text || ':' || s, c.created_at + s * interval '1 minute',
               c.created_at + s * interval '1 minute', c.created_at + s * interval '1 minute'
        FROM conversations c
        JOIN conversation_participants p ON p.conversation_id = c.id AND p.user_id <> c.created_by
        CROSS JOIN LATERAL generate_series(1, c.last_seq) AS s
        """,
        timings=timings,
    )
    await _step(
        conn,
        f"notifications ({s.notifications:,})",
        f"""
        INSERT INTO notifications (user_id, type, payload, created_at, read_at)
        SELECT md5('user' || {CANDIDATE})::uuid, 'application.status',
               jsonb_build_object('job_id', md5('job' || n)::uuid, 'status', 'viewed'),
               now() - n * interval '1 hour', CASE WHEN n > 20 THEN now() END
        FROM generate_series(1, {FIXED_NOTIFICATIONS}) AS n;
        INSERT INTO notifications (user_id, type, payload, created_at, read_at)
        SELECT md5('user' || ({FIXED_USERS} + 1 + floor(random() * {s.users})::int))::uuid,
               'application.status',
               jsonb_build_object('job_id', md5('job' || n)::uuid, 'status', 'viewed'),
               now() - random() * interval '700 days',
               CASE WHEN random() < 0.8 THEN now() END
        FROM generate_series(1, {s.notifications}) AS n
        """,
        timings=timings,
    )
    await _fixed_profiles_and_sessions(conn, timings)
    began = time.monotonic()
    for definition in indexes:
        await conn.execute(definition)
    timings["secondary indexes"] = time.monotonic() - began
    print(f"  {'secondary indexes':<34} {timings['secondary indexes']:7.1f} s", flush=True)
    await conn.execute("RESET session_replication_role")
    await _step(conn, "vacuum analyze", "VACUUM (ANALYZE)", timings=timings)
    return timings


async def _fixed_profiles_and_sessions(conn: asyncpg.Connection, timings: dict) -> None:
    import hashlib
    import json

    began = time.monotonic()
    await conn.execute(
        """
        INSERT INTO profiles (user_id, full_name, headline, skills, experience, education)
        VALUES ($1, 'Fixed Candidate', 'Software Developer', $2::jsonb, $3::jsonb, $4::jsonb)
        """,
        uid("user", CANDIDATE),
        json.dumps(
            {"claimed": ["Python", "SQL", "Docker", "Git", "Linux"], "verified": ["Python", "SQL"]}
        ),
        json.dumps([{"title": "Backend Developer", "company": "Acme"}]),
        json.dumps([{"degree": "BSc", "field": "Computer Science"}]),
    )
    await conn.execute(
        """
        INSERT INTO profiles (user_id, full_name, headline, skills)
        SELECT md5('user' || u.n)::uuid, 'Applicant ' || u.n, o.title,
               jsonb_build_object('claimed', to_jsonb(o.skills[1:5]),
                                  'verified', to_jsonb(o.skills[1:1]))
        FROM generate_series(2, $1::int) AS u(n)
        JOIN scale_occupations o ON o.n = u.n % 1016
        """,
        FIXED_USERS,
    )
    for name, n in (("candidate", CANDIDATE), ("recruiter", RECRUITER)):
        await conn.execute(
            "INSERT INTO sessions (user_id, token_hash, expires_at)"
            " VALUES ($1, $2, now() + interval '10 years')",
            uid("user", n),
            hashlib.sha256(token_for(name).encode()).digest(),
        )
    timings["fixed entities"] = time.monotonic() - began


def _array(items: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + item.replace("'", "''") + "'" for item in items)
    return f"ARRAY[{quoted}]"
