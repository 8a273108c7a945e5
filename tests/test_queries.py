"""Every named query in sql/ loads, and PostgreSQL accepts it against the migrated schema."""

from __future__ import annotations

from server.db import load_queries


async def test_every_query_file_loads_and_prepares_against_the_schema(db):
    queries = load_queries()
    checked = 0
    async with db.connection() as conn:
        for domain, domain_queries in sorted(vars(queries).items()):
            for name in domain_queries.available_queries:
                if name.endswith("_cursor"):
                    continue  # aiosql's cursor variant of a select: same SQL
                sql = getattr(domain_queries, name).sql
                try:
                    await conn.prepare(sql)
                except Exception as exc:
                    raise AssertionError(f"{domain}.{name} does not prepare: {exc}") from exc
                checked += 1
    assert checked >= 20
