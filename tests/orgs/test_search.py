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
    owner = await api.sign_up(["employer"], email="dean@uni.example")
    for i in range(11):
        # Repeated names make the id the tie-breaker of the cursor.
        org = await api.institute(owner, name=f"Institute {i % 4}")
        if i == 7:  # one verified institute: the walk crosses from rank 0 to rank 1
            path = f"/api/organizations/{org['id']}/domains"
            await api.post(path, {"domain": "uni.example"}, as_=owner, expect=201)
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
            "SELECT id FROM organizations WHERE type = 'institute' ORDER BY verified_rank, name, id"
        )
    assert seen == [str(r["id"]) for r in expected]
    assert len(set(seen)) == 11


async def test_search_refuses_bad_cursor_limit_and_filters(api):
    await api.get("/api/organizations?cursor=not-a-cursor!", expect=400)
    await api.get("/api/organizations?cursor=WzEsMl0", expect=400)  # [1,2]
    # [7, "a", uuid]: a rank that is neither 0 nor 1
    await api.get(
        "/api/organizations?cursor=WzcsImEiLCIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ",
        expect=400,
    )
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
            "EXPLAIN " + db.q.orgs.search_organizations.sql,
            "%univ%",
            "institute",
            None,
            None,
            None,
            21,
        )
    text = "\n".join(r[0] for r in plan)
    assert "organizations_name_trgm" in text, text


async def test_verified_institutes_come_first_with_location_and_logo(api, db):
    """Look-alike names: the institute that proved its domain (or that the platform verified)
    is above the ones that did not, whatever their names."""
    owner = await api.sign_up(["professional"])
    await api.institute(owner, name="Alpha State University", location="Nowhere")
    await api.institute(owner, name="State University", location="Springfield")
    dean = await api.sign_up(["professional"], email="dean@state-u.example")
    real = await api.institute(dean, name="State Universty", location="Capital City")
    path = f"/api/organizations/{real['id']}/domains"
    await api.post(path, {"domain": "state-u.example"}, as_=dean, expect=201)
    platform = await api.admin(db)
    vetted = await api.institute(owner, name="Zeta State University")
    await api.post(
        f"/api/admin/organizations/{vetted['id']}/verification",
        {"is_verified": True},
        as_=platform,
        expect=200,
    )
    page = await api.get("/api/organizations?type=institute&q=state", expect=200)
    assert [(o["name"], o["domain_verified"], o["is_verified"]) for o in page["items"]] == [
        ("State Universty", True, False),
        ("Zeta State University", False, True),
        ("Alpha State University", False, False),
        ("State University", False, False),
    ]
    assert page["items"][0]["location"] == "Capital City"
    browse = await names(api, type="institute")
    assert browse[:2] == ["State Universty", "Zeta State University"]


async def test_browsing_uses_the_verified_first_index(db):
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO organizations (name, type)"
            " SELECT 'Org ' || md5(i::text), 'institute' FROM generate_series(1, 20000) AS i"
        )
        await conn.execute("VACUUM ANALYZE organizations")
        plan = await conn.fetch(
            "EXPLAIN " + db.q.orgs.list_organizations.sql, "institute", None, None, None, 21
        )
    text = "\n".join(r[0] for r in plan)
    # Either verified-first index serves it in order: no sort of every institute.
    assert "rank_name_idx" in text and "Sort" not in text, text
