"""Gig search: full-text ranking, skill and freelancer filters, keyset pagination."""

from __future__ import annotations

import base64
import json

import pytest


async def _walk(api, params: dict) -> list[dict]:
    """Every page of a listing, following `next` until it runs out."""
    items: list[dict] = []
    cursor = None
    for _ in range(50):
        page_params = dict(params, **({"cursor": cursor} if cursor else {}))
        page = await api.get("/api/gigs", params=page_params, expect=200)
        assert len(page["items"]) <= int(params.get("limit", 20))
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


async def test_without_q_active_gigs_come_newest_first_across_pages(api, db, freelancer, make_gig):
    made = [await make_gig(freelancer, title=f"Gig number {i}") for i in range(7)]
    await api.patch(f"/api/gigs/{made[3]['id']}", {"status": "paused"}, as_=freelancer)
    items = await _walk(api, {"limit": "2"})
    ids = [g["id"] for g in items]
    assert len(ids) == len(set(ids)) == 6
    async with db.connection() as conn:
        expected = await conn.fetch(
            "SELECT id::text FROM gigs WHERE status = 'active' ORDER BY created_at DESC, id DESC"
        )
    assert ids == [r["id"] for r in expected]
    assert made[3]["id"] not in ids


async def test_q_ranks_title_matches_above_description_matches(api, freelancer, make_gig):
    in_description = await make_gig(
        freelancer, title="Backend services", description="I also know kubernetes well."
    )
    in_title = await make_gig(
        freelancer, title="Kubernetes cluster setup", description="Production ready."
    )
    await make_gig(freelancer, title="Logo design", description="Vector art.")
    page = await api.get("/api/gigs", params={"q": "kubernetes"}, expect=200)
    assert [g["id"] for g in page["items"]] == [in_title["id"], in_description["id"]]
    assert page["next"] is None


async def test_q_understands_web_search_syntax(api, freelancer, make_gig):
    django = await make_gig(freelancer, title="Python Django site", description="Web shop.")
    flask = await make_gig(freelancer, title="Python Flask API", description="Small API.")
    page = await api.get("/api/gigs", params={"q": "python -django"}, expect=200)
    assert [g["id"] for g in page["items"]] == [flask["id"]]
    page = await api.get("/api/gigs", params={"q": '"django site"'}, expect=200)
    assert [g["id"] for g in page["items"]] == [django["id"]]
    page = await api.get("/api/gigs", params={"q": "django or flask"}, expect=200)
    assert {g["id"] for g in page["items"]} == {django["id"], flask["id"]}
    for nothing in ("the", "!!!", "zzzqqq"):
        page = await api.get("/api/gigs", params={"q": nothing}, expect=200)
        assert page == {"items": [], "next": None}


async def test_q_pages_through_equal_ranks_without_duplicates(api, freelancer, make_gig):
    same = [await make_gig(freelancer, title="Data cleaning") for _ in range(5)]
    await make_gig(freelancer, title="Data cleaning with data pipelines", description="data")
    await make_gig(freelancer, title="Unrelated", description="Nothing here.")
    items = await _walk(api, {"q": "data cleaning", "limit": "2"})
    ids = [g["id"] for g in items]
    assert len(ids) == len(set(ids)) == 6
    assert set(ids) >= {g["id"] for g in same}
    tied = [i for i in ids if i in {g["id"] for g in same}]
    assert tied == sorted(tied, reverse=True)


async def test_skills_filter_matches_all_or_any_case_insensitively(api, freelancer, make_gig):
    both = await make_gig(freelancer, skills=["Python", "PostgreSQL"])
    python = await make_gig(freelancer, skills=["python"])
    rust = await make_gig(freelancer, skills=["Rust"])

    async def ids(params):
        page = await api.get("/api/gigs", params=params, expect=200)
        return {g["id"] for g in page["items"]}

    assert await ids({"skills": "python,postgresql"}) == {both["id"]}
    assert await ids({"skills": "PYTHON, PostgreSQL", "skills_match": "all"}) == {both["id"]}
    assert await ids({"skills": "python"}) == {both["id"], python["id"]}
    assert await ids({"skills": "postgresql,rust", "skills_match": "any"}) == {
        both["id"],
        rust["id"],
    }
    assert await ids([("skills", "python"), ("skills", "rust"), ("skills_match", "any")]) == {
        both["id"],
        python["id"],
        rust["id"],
    }
    assert await ids({"skills": "cobol"}) == set()
    assert await ids({"skills": "python", "q": "rest api"}) == {both["id"], python["id"]}


async def test_freelancer_filter_and_pagination_combine(api, freelancer, make_gig):
    other = await api.sign_up(["freelancer"])
    mine = [await make_gig(freelancer) for _ in range(3)]
    await make_gig(other)
    items = await _walk(api, {"freelancer_id": str(freelancer.id), "limit": "1"})
    assert {g["id"] for g in items} == {g["id"] for g in mine}
    items = await _walk(api, {"freelancer_id": str(freelancer.id), "q": "python", "limit": "2"})
    assert {g["id"] for g in items} == {g["id"] for g in mine}


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "%%%",
        _cursor(["x"]),
        _cursor([1.5, "not-a-uuid"]),
        _cursor(["2024-01-01T00:00:00", "00000000-0000-0000-0000-000000000000"]),
        _cursor(["0001-01-01T00:00:00+01:00", "00000000-0000-0000-0000-000000000000"]),
        _cursor([0.5, "00000000-0000-0000-0000-000000000000"]),  # a ranked cursor without q
    ],
)
async def test_bad_cursor_is_400(api, freelancer, make_gig, cursor):
    await make_gig(freelancer)
    problem = await api.get("/api/gigs", params={"cursor": cursor}, expect=400)
    assert "cursor" in problem["detail"]


async def test_listing_cursor_is_refused_by_a_ranked_search(api, freelancer, make_gig):
    for _ in range(2):
        await make_gig(freelancer)
    page = await api.get("/api/gigs", params={"limit": "1"}, expect=200)
    await api.get("/api/gigs", params={"q": "python", "cursor": page["next"]}, expect=400)


async def test_extreme_rank_cursors_are_answered_not_crashed(api, freelancer, make_gig):
    await make_gig(freelancer)
    for rank in (1e-300, -1.0):
        cursor = _cursor(["relevance", rank, "00000000-0000-0000-0000-000000000000"])
        await api.get("/api/gigs", params={"q": "python", "cursor": cursor}, expect=200)
    # beyond what a rank (float4) can hold: not a cursor this server made
    cursor = _cursor(["relevance", 1e308, "00000000-0000-0000-0000-000000000000"])
    await api.get("/api/gigs", params={"q": "python", "cursor": cursor}, expect=400)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "101"},
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "99999999999999999999999"},
        {"skills_match": "some"},
        {"freelancer_id": "bob"},
        {"q": "x" * 201},
        {"q": "nul\u0000"},
        {"skills": "x" * 65},
        {"skills": ",".join(f"s{i}" for i in range(21))},
        {"sort": "price"},
    ],
)
async def test_bad_query_parameters_are_422(api, params):
    problem = await api.get("/api/gigs", params=params, expect=422)
    assert problem["errors"][0]["field"].startswith("query")


async def test_limit_bounds_are_inclusive(api, freelancer, make_gig):
    await make_gig(freelancer)
    for limit in ("1", "100"):
        page = await api.get("/api/gigs", params={"limit": limit}, expect=200)
        assert len(page["items"]) == 1 and page["next"] is None
