"""Every board filter can be served by an index of 0004_jobs.sql.

Runs the real named queries (as the service calls them, one filter set at a time) under
EXPLAIN against a few thousand jobs, and checks that the filter's own predicate is an index
condition, so a mismatch between a query's spelling and an index's expression fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.db import Database
from server.jobs.service import SEARCH_WINDOW, SKILLS_SCAN

SEED = """
WITH company AS (
    INSERT INTO organizations (name, type) SELECT 'Company ' || n, 'company'
    FROM generate_series(1, 40) AS n RETURNING id
), companies AS (SELECT array_agg(id) AS ids FROM company),
poster AS (
    INSERT INTO users (email, roles, is_verified) VALUES ('bulk@example.com', '{employer}', true)
    RETURNING id
)
INSERT INTO jobs (company_id, poster_id, title, description, skills_required, location,
                  employment_type, remote, status, closed_at, created_at)
SELECT companies.ids[1 + n % 40], poster.id,
       CASE WHEN n % 500 = 0 THEN 'Zookeeper wrangler' ELSE 'Software engineer ' || n END,
       'Build and run services.',
       CASE WHEN n % 300 = 0 THEN ARRAY['Fortran', 'Python'] ELSE ARRAY['Python', 'SQL'] END,
       CASE WHEN n % 400 = 0 THEN 'Reykjavik, Iceland' ELSE 'Berlin, Germany' END,
       CASE WHEN n % 100 = 0 THEN 'contract' ELSE 'full_time' END,
       n % 50 = 0,
       CASE WHEN n % 200 = 0 THEN 'closed' ELSE 'open' END,
       CASE WHEN n % 200 = 0 THEN now() END,
       now() - n * interval '1 minute'
FROM generate_series(1, 6000) AS n, companies, poster
"""

NO_FILTERS: dict[str, Any] = {
    "status": "open",
    "company_id": None,
    "employment_type": None,
    "remote": None,
    "skills_all": None,
    "skills_any": None,
    "location_pattern": None,
    "limit": 21,
    "after_created_at": None,
    "after_id": None,
}
# One rare value per filter, the index that should find it, and what its condition mentions.
PROBES = {
    "company_id": (None, "jobs_company_recent_idx", "company_id ="),  # id filled in below
    "employment_type": ("contract", "jobs_type_recent_idx", "employment_type"),
    "remote": (True, "jobs_remote_recent_idx", "remote ="),
    "skills_all": (["fortran"], "jobs_skill_keys_gin", "lower_all(skills_required) @>"),
    "skills_any": (["fortran", "cobol"], "jobs_skill_keys_gin", "lower_all(skills_required) &&"),
    "location_pattern": ("%reykjavik%", "jobs_location_trgm", "~~*"),
}


def _plan_nodes(node: dict) -> list[dict]:
    return [node, *(n for child in node.get("Plans", []) for n in _plan_nodes(child))]


async def _explain(
    db: Database,
    name: str,
    params: dict[str, Any],
    only_index: str | None = None,
    seqscan: bool = True,
) -> list[dict]:
    """The plan of a named query; with ``only_index``, as if jobs had no other index; with
    ``seqscan=False``, choosing among the indexes only.

    A few thousand rows fit in a handful of pages, where reading them all (or walking the
    status b-tree under LIMIT) is honestly cheapest, so the planner's free choice says little.
    Hiding every other index and disabling sequential scans asks the real question: can this
    index serve this predicate as the query spells it? The hiding is rolled back.
    """
    query = getattr(db.q.jobs, name)
    order = db.q.jobs.driver_adapter.var_sorted[name]
    async with db.connection() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            if only_index is not None:
                others = await conn.fetch(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'jobs'"
                    " AND indexname NOT IN ('jobs_pkey', $1)",
                    only_index,
                )
                for row in others:
                    await conn.execute(f'DROP INDEX "{row["indexname"]}"')
            if only_index is not None or not seqscan:
                await conn.execute("SET LOCAL enable_seqscan = off")
            raw = await conn.fetchval(
                "EXPLAIN (FORMAT JSON) " + query.sql, *(params[key] for key in order)
            )
        finally:
            await transaction.rollback()
    plan = json.loads(raw) if isinstance(raw, str) else raw
    return _plan_nodes(plan[0]["Plan"])


def _indexes(nodes: list[dict]) -> set[str]:
    return {n["Index Name"] for n in nodes if "Index Name" in n}


def _index_conditions(nodes: list[dict], index: str) -> str:
    return " ".join(n.get("Index Cond", "") for n in nodes if n.get("Index Name") == index)


def _seq_scans_on_jobs(nodes: list[dict]) -> list[dict]:
    return [n for n in nodes if n["Node Type"] == "Seq Scan" and n["Relation Name"] == "jobs"]


@pytest.fixture
async def seeded(db: Database) -> dict[str, Any]:
    async with db.connection() as conn:
        await conn.execute(SEED)
        await conn.execute("ANALYZE jobs; ANALYZE organizations")
        company_id = await conn.fetchval("SELECT company_id FROM jobs LIMIT 1")
    return {**PROBES, "company_id": (company_id, *PROBES["company_id"][1:])}


@pytest.mark.parametrize("name", sorted(PROBES))
async def test_each_filter_is_served_by_its_index(db, seeded, name):
    value, index, condition = seeded[name]
    nodes = await _explain(db, "list_jobs", {**NO_FILTERS, name: value}, only_index=index)
    assert condition in _index_conditions(nodes, index), json.dumps(nodes, default=str)[:2000]
    assert not _seq_scans_on_jobs(nodes)


SEARCH: dict[str, Any] = {
    **NO_FILTERS,
    "before_at": None,
    "before_id": None,
    "top_at": None,
    "top_id": None,
    "floor_at": None,
    "floor_id": None,
    "after_rank": None,
    "pool": SEARCH_WINDOW,
}


def _window_scan(nodes: list[dict]) -> list[dict]:
    """The nodes of the search's window (the `matches` CTE), which picks the jobs to rank."""
    cte = next(n for n in nodes if n.get("Subplan Name") == "CTE newest")
    return _plan_nodes(cte)


async def test_text_search_is_served_by_the_search_index(db, seeded):
    params = {**SEARCH, "q": "zookeeper"}
    nodes = await _explain(db, "search_jobs", params, only_index="jobs_search_gin")
    assert "search_vector @@" in _index_conditions(nodes, "jobs_search_gin")
    assert not _seq_scans_on_jobs(nodes)


async def test_rare_term_window_reads_the_search_index_not_the_recency_walk(db, seeded):
    # "zookeeper" is in 12 of 6,000 titles: walking newest first would read most of the board
    params = {**SEARCH, "q": "zookeeper"}
    window = _window_scan(await _explain(db, "search_jobs", params, seqscan=False))
    assert "search_vector @@" in _index_conditions(window, "jobs_search_gin")
    assert not _seq_scans_on_jobs(window)


async def test_common_term_window_walks_the_recency_index_and_stops_at_the_pool(db, seeded):
    # "engineer" is in nearly every title: ranking them all is what the window avoids
    window = _window_scan(await _explain(db, "search_jobs", {**SEARCH, "q": "engineer"}))
    assert window[0]["Node Type"] == "Limit" and window[0]["Plan Rows"] <= SEARCH_WINDOW
    assert "jobs_status_recent_idx" in _indexes(window)
    assert not any(n["Node Type"] == "Sort" for n in window)


async def test_later_pages_and_windows_are_planned_like_the_first(db, seeded):
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT created_at, id FROM jobs WHERE status = 'open'"
            " ORDER BY created_at DESC, id DESC OFFSET 2000 LIMIT 201"
        )
    top, floor = rows[0], rows[-1]
    later_page = {
        "top_at": top["created_at"],
        "top_id": top["id"],
        "floor_at": floor["created_at"],
        "floor_id": floor["id"],
    }
    next_window = {"before_at": top["created_at"], "before_id": top["id"]}
    for bounds in (later_page, next_window):
        params = {**SEARCH, "q": "engineer", **bounds}
        window = _window_scan(await _explain(db, "search_jobs", params))
        assert window[0]["Node Type"] == "Limit", json.dumps(window, default=str)[:2000]
        assert "jobs_status_recent_idx" in _indexes(window)
        assert "created_at" in _index_conditions(window, "jobs_status_recent_idx")
        assert not any(n["Node Type"] in ("Sort", "BitmapAnd") for n in window)


async def test_skills_alone_walk_the_narrow_recency_index_then_fall_back_to_its_gin(db, seeded):
    params = {
        "skills_all": ["fortran", "python"],
        "skills_any": None,
        "after_created_at": None,
        "after_id": None,
        "scan": SKILLS_SCAN,
        "limit": 21,
    }
    nodes = await _explain(db, "list_open_jobs_by_skills", params, seqscan=False)
    walk = next(n for n in nodes if n.get("Index Name") == "job_match_keys_recent_idx")
    assert walk["Node Type"] == "Index Scan"  # newest first, stopped by the scan's LIMIT
    assert "skill_keys @>" in _index_conditions(nodes, "job_match_keys_skills_gin")
    assert not any(n.get("Relation Name") == "jobs" and "Index Name" not in n for n in nodes)


async def test_pages_walk_the_status_index_by_the_planners_own_choice(db, seeded):
    first = await _explain(db, "list_jobs", NO_FILTERS)
    assert "jobs_status_recent_idx" in _indexes(first)
    async with db.connection() as conn:
        created_at, job_id = await conn.fetchrow(
            "SELECT created_at, id FROM jobs ORDER BY created_at DESC, id DESC OFFSET 3000"
        )
    later = await _explain(
        db, "list_jobs", {**NO_FILTERS, "after_created_at": created_at, "after_id": job_id}
    )
    assert "jobs_status_recent_idx" in _indexes(later)
    assert not _seq_scans_on_jobs(later)
