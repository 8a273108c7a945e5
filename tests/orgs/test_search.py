"""Organization search (workflow 2, step 1: a student finds their institute)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest


async def names(api, **params) -> list[str]:
    page = await api.get("/api/organizations?" + urlencode(params), expect=200)
    return [o["name"] for o in page["items"]]


@pytest.fixture
async def catalogue(api):
    owner = await api.sign_up(["employer"])
    for name in ("State University", "Stateside Tech", "Coastal University", "Delta Institute"):
        await api.institute(owner, name=name)
    await api.company(owner, name="University Press Ltd")
    return owner


async def test_student_finds_institute_by_partial_name_case_insensitively(api, catalogue):
    assert await names(api, type="institute", q="univ") == [
        "Coastal University",
        "State University",
    ]
    assert await names(api, q="UNIVERSITY") == [
        "Coastal University",
        "State University",
        "University Press Ltd",
    ]
    assert await names(api, type="company") == ["University Press Ltd"]
    assert await names(api, q="  state ") == ["State University", "Stateside Tech"]
    assert await names(api, q="nowhere") == []
    assert len(await names(api)) == 5
    assert len(await names(api, q="")) == 5


async def test_search_matches_like_wildcards_literally(api):
    owner = await api.sign_up(["employer"])
    for name in ("100% Tech", "A_B Institute", "AxB Institute", "Back\\slash"):
        await api.institute(owner, name=name)
    assert await names(api, q="%") == ["100% Tech"]
    assert await names(api, q="_") == ["A_B Institute"]
    assert await names(api, q="A_B") == ["A_B Institute"]
    assert await names(api, q="\\") == ["Back\\slash"]


async def test_search_cursor_walks_every_organization_once_in_name_order(api, db):
    owner = await api.sign_up(["employer"])
    for i in range(11):
        # Repeated names make the id the tie-breaker of the cursor.
        await api.institute(owner, name=f"Institute {i % 4}")
    await api.company(owner, name="Institute Supplies")
    seen, cursor = [], None
    while True:
        params = {"type": "institute", "q": "institute", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = await api.get("/api/organizations?" + urlencode(params), expect=200)
        assert len(page["items"]) <= 3
        seen += [o["id"] for o in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    async with db.connection() as conn:
        expected = await conn.fetch(
            "SELECT id FROM organizations WHERE type = 'institute' ORDER BY name, id"
        )
    assert seen == [str(r["id"]) for r in expected]
    assert len(set(seen)) == 11


async def test_search_refuses_bad_cursor_limit_and_filters(api):
    await api.get("/api/organizations?cursor=not-a-cursor!", expect=400)
    await api.get("/api/organizations?cursor=WzEsMl0", expect=400)  # [1,2]
    await api.get("/api/organizations?limit=101", expect=422)
    await api.get("/api/organizations?limit=0", expect=422)
    await api.get("/api/organizations?type=school", expect=422)
    await api.get("/api/organizations?q=" + "x" * 101, expect=422)
    await api.get("/api/organizations?sort=name", expect=422)


async def test_name_search_uses_the_trigram_index(db):
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO organizations (name, type)"
            " SELECT 'Org ' || md5(i::text),"
            "        CASE WHEN i % 2 = 0 THEN 'institute' ELSE 'company' END"
            " FROM generate_series(1, 20000) AS i"
        )
        await conn.execute(
            "INSERT INTO organizations (name, type) VALUES ('State University', 'institute')"
        )
        # VACUUM moves the rows out of the GIN index's pending list, as autovacuum would.
        await conn.execute("VACUUM ANALYZE organizations")
        plan = await conn.fetch(
            "EXPLAIN " + db.q.orgs.search_organizations.sql, "%univ%", "institute", None, None, 21
        )
    text = "\n".join(r[0] for r in plan)
    assert "organizations_name_trgm" in text, text
