"""The stored match score after migrate: a small data set written before migration 0021 (which
added the score and backfilled it), then every later migration and the current stored
functions. Each stored score must equal application_match() as it is defined now; a change of
the formula in sql/applications/functions.sql without a migration that rescores fails here."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
import pytest

from server.db import SQL_DIR, apply_migrations, load_queries

FIRST_SCORED = "0021"

DATA = """
INSERT INTO users (id, email, roles) VALUES
    ('00000000-0000-0000-0000-000000000001', 'boss@example.com', '{employer}');
INSERT INTO organizations (id, name, type) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'Acme', 'company');
INSERT INTO jobs (id, company_id, poster_id, title, description, skills_required) VALUES
    ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1',
     '00000000-0000-0000-0000-000000000001', 'Backend Intern',
     'Build APIs in Python with PostgreSQL', '{python,postgresql}'),
    ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a1',
     '00000000-0000-0000-0000-000000000001', 'Platform Engineer',
     'Go services on Kubernetes', '{go,kubernetes,postgresql}');
INSERT INTO users (email, roles)
SELECT 'candidate' || g || '@example.com', '{student}' FROM generate_series(1, 6) g;
INSERT INTO profiles (user_id, headline, skills)
SELECT u.id, s.headline, s.skills::jsonb
FROM users u
JOIN (VALUES
    (1, 'Python and PostgreSQL', '{"claimed": ["Python", "PostgreSQL"], "verified": ["Python"]}'),
    (2, 'Go developer', '{"claimed": ["Go", "Kubernetes"], "verified": ["Go"]}'),
    (3, 'Learning Python', '{"claimed": ["Python"], "verified": []}'),
    (4, 'Cobol veteran', '{"claimed": ["Cobol"], "verified": []}'),
    (5, 'Nothing yet', '{"claimed": [], "verified": []}')
) AS s(n, headline, skills) ON u.email = 'candidate' || s.n || '@example.com';
-- candidate6 has no profile at all
INSERT INTO job_applications (job_id, candidate_id)
SELECT j.id, u.id FROM jobs j CROSS JOIN users u WHERE u.email LIKE 'candidate%';
"""

STALE = """
SELECT count(*) FILTER (WHERE a.match_score IS DISTINCT FROM coalesce(m.score, 0)) AS stale,
       count(*) FILTER (WHERE a.match_score > 0) AS scored,
       count(*) AS applications
FROM job_applications a
JOIN jobs j ON j.id = a.job_id
LEFT JOIN profiles p ON p.user_id = a.candidate_id
CROSS JOIN LATERAL application_match(j.skills_required, j.search_vector, p.match_skill_keys,
                                     p.match_verified_keys, p.match_words) m
"""


@pytest.fixture
def sql_before_scores(tmp_path: Path) -> Path:
    """The migrations before the score existed, and no stored functions (migrate applies
    those after the migrations; the full run below does)."""
    copy = tmp_path / "sql"
    (copy / "migrations").mkdir(parents=True)
    for path in sorted((SQL_DIR / "migrations").glob("*.sql")):
        if path.name < FIRST_SCORED:
            shutil.copy(path, copy / "migrations" / path.name)
    return copy


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


@pytest.fixture
async def empty_database(pg_server_url: str) -> AsyncIterator[str]:
    name = "rizeos_t_" + uuid.uuid4().hex[:16]
    admin = await asyncpg.connect(_with_database(pg_server_url, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield _with_database(pg_server_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_every_stored_score_is_the_current_formula_after_migrate(
    empty_database: str, sql_before_scores: Path
):
    queries = load_queries()
    conn = await asyncpg.connect(empty_database)
    try:
        await apply_migrations(conn, queries, sql_before_scores)
        await conn.execute(DATA)
        applied = await apply_migrations(conn, queries)
        row = await conn.fetchrow(STALE)
    finally:
        await conn.close()
    assert applied[0].startswith(FIRST_SCORED)
    assert row["applications"] == 12
    assert row["scored"] >= 4  # the data set scores something, on both jobs
    assert row["stale"] == 0
