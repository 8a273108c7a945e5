"""The public job board: full-text ranking, filters, keyset pagination, bad input."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest

from server.paging import encode_cursor


async def board(api, **params) -> dict:
    return await api.get("/api/jobs?" + urlencode(params), expect=200)


def titles(page: dict) -> list[str]:
    return [job["title"] for job in page["items"]]


async def walk(api, cursor: str | None = None, **params) -> list[dict]:
    """Every page of a listing (from ``cursor``'s page on), following `next` to the end."""
    items: list[dict] = []
    while True:
        page = await board(api, **params, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= int(params.get("limit", 20))
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items


async def test_board_lists_open_jobs_newest_first_with_company_name(api, employer, company):
    first = await api.job(employer, company["id"], title="First")
    second = await api.job(employer, company["id"], title="Second")
    closed = await api.job(employer, company["id"], title="Closed")
    await api.post(f"/api/jobs/{closed['id']}/close", as_=employer, expect=200)
    page = await board(api)
    assert [job["id"] for job in page["items"]] == [second["id"], first["id"]]
    assert page["items"][0]["company_name"] == "Acme Corp"
    assert page["next"] is None
    assert titles(await board(api, status="closed")) == ["Closed"]


async def test_title_hit_ranks_above_description_only_hit(api, employer, company):
    await api.job(employer, company["id"], title="Office manager", description="Run the office.")
    await api.job(
        employer, company["id"], title="Data analyst", description="Some Kubernetes exposure."
    )
    await api.job(
        employer, company["id"], title="Kubernetes engineer", description="Operate clusters."
    )
    page = await board(api, q="kubernetes")
    assert titles(page) == ["Kubernetes engineer", "Data analyst"]


async def test_text_query_uses_web_search_syntax_and_stemming(api, employer, company):
    await api.job(employer, company["id"], title="Python developer", description="APIs.")
    await api.job(employer, company["id"], title="Java developer", description="Services.")
    assert titles(await board(api, q="developers -java")) == ["Python developer"]
    assert titles(await board(api, q='"java developer"')) == ["Java developer"]
    assert titles(await board(api, q="the")) == []  # only a stop word: nothing to match
    assert titles(await board(api, q="  ")) == ["Java developer", "Python developer"]
    assert titles(await board(api, q="(&|!:*')")) == []  # operators are plain text here


async def test_skills_filter_all_or_any_ignoring_case(api, employer, company):
    await api.job(employer, company["id"], title="Both", skills_required=["Python", "SQL"])
    await api.job(employer, company["id"], title="Py", skills_required=["python"])
    await api.job(employer, company["id"], title="Go", skills_required=["Go"])
    assert titles(await board(api, skills="PYTHON,sql")) == ["Both"]
    assert titles(await board(api, skills="sql,go", skills_match="any")) == ["Go", "Both"]
    repeated = await api.get("/api/jobs?skills=python&skills=%20SQL%20", expect=200)
    assert titles(repeated) == ["Both"]


@pytest.mark.parametrize("scan", [10_000, 3])
async def test_skills_pages_are_newest_first_whether_walked_or_read_from_the_index(
    api, employer, company, monkeypatch, scan
):
    # scan=3: the first three open jobs hold no page, so the rare-combination path answers
    monkeypatch.setattr("server.jobs.service.SKILLS_SCAN", scan)
    expected = []
    for n in range(9):
        skills = ["Go", "SQL", "Rust"] if n % 3 == 0 else ["Go", "Java"]
        job = await api.job(employer, company["id"], title=f"Job {n}", skills_required=skills)
        if n % 3 == 0:
            expected.insert(0, job["id"])
    closed = await api.job(employer, company["id"], title="Closed", skills_required=["rust"])
    await api.post(f"/api/jobs/{closed['id']}/close", as_=employer, expect=200)
    walked = await walk(api, skills="rust,sql", limit=2)
    assert [job["id"] for job in walked] == expected
    any_of = await walk(api, skills="rust,java", skills_match="any", limit=4)
    assert len(any_of) == 9 and titles({"items": any_of})[0] == "Job 8"


async def test_location_contains_ignoring_case_with_wildcards_literal(api, employer, company):
    await api.job(employer, company["id"], title="Berlin", location="Berlin, Germany")
    await api.job(employer, company["id"], title="Remote", location="100% remote")
    await api.job(employer, company["id"], title="Nowhere")
    assert titles(await board(api, location="GERMANY")) == ["Berlin"]
    assert titles(await board(api, location="%")) == ["Remote"]
    assert titles(await board(api, location="_")) == []
    assert titles(await board(api, location="\\")) == []


async def test_type_remote_and_company_filters_combine(api, employer, company):
    other_hr = await api.sign_up(["employer"])
    other = await api.company(other_hr, name="Other Co")
    await api.job(employer, company["id"], title="A", employment_type="contract", remote=True)
    await api.job(employer, company["id"], title="B", employment_type="contract")
    await api.job(other_hr, other["id"], title="C", employment_type="contract", remote=True)
    assert titles(await board(api, employment_type="contract", remote="true")) == ["C", "A"]
    assert titles(await board(api, remote="false")) == ["B"]
    filtered = await board(api, company_id=company["id"], employment_type="contract", remote=1)
    assert titles(filtered) == ["A"]
    assert titles(await board(api, company_id=other["id"], q="c")) == ["C"]
    assert titles(await board(api, company_id=company["id"], q="c")) == []


async def _many_jobs(api, db, count: int, **fields) -> list[str]:
    hr = await api.sign_up(["employer"])
    company = await api.company(hr, name="Bulk Inc")
    return [(await api.job(hr, company["id"], **fields))["id"] for _ in range(count)]


async def test_pages_walk_every_job_once_newest_first(api, db):
    ids = await _many_jobs(api, db, 7)
    items = await walk(api, limit=3)
    assert [job["id"] for job in items] == list(reversed(ids))


async def test_pages_walk_ties_in_creation_time_by_id(api, db):
    ids = await _many_jobs(api, db, 7)
    async with db.connection() as conn:
        await conn.execute("UPDATE jobs SET created_at = '2024-01-01T00:00:00Z'")
    items = await walk(api, limit=2)
    assert [job["id"] for job in items] == sorted(ids, key=uuid.UUID, reverse=True)


async def test_ranked_pages_walk_equal_ranks_without_duplicates(api, db):
    ids = await _many_jobs(api, db, 5, title="Rust engineer")
    ids += await _many_jobs(api, db, 4, description="Some Rust in places.")
    items = await walk(api, q="rust", limit=2)
    assert len(items) == 9 and {job["id"] for job in items} == set(ids)
    assert all(job["title"] == "Rust engineer" for job in items[:5])


async def test_ranked_pages_cross_search_windows_without_duplicates_or_skips(api, db, monkeypatch):
    # Windows of three matches, so nine jobs make three windows and pages straddle them.
    monkeypatch.setattr("server.jobs.service.SEARCH_WINDOW", 3)
    ids = await _many_jobs(api, db, 4, title="Rust engineer")
    ids += await _many_jobs(api, db, 5, description="Some Rust in places.")
    for limit in (1, 2, 4, 9, 20):
        items = await walk(api, q="rust", limit=limit)
        assert sorted(job["id"] for job in items) == sorted(ids), limit


async def test_each_window_ranks_title_hits_first_and_windows_go_newest_first(api, db, monkeypatch):
    monkeypatch.setattr("server.jobs.service.SEARCH_WINDOW", 3)
    await _many_jobs(api, db, 1, title="Old Rust engineer")
    await _many_jobs(api, db, 2, title="Writer", description="Docs for a Rust codebase.")
    await _many_jobs(api, db, 2, title="Rust engineer")
    await _many_jobs(api, db, 1, title="Tester", description="Test our Rust services.")
    # newest three: two title hits, then the description hit; then the older three
    assert titles({"items": await walk(api, q="rust", limit=2)}) == [
        "Rust engineer",
        "Rust engineer",
        "Tester",
        "Old Rust engineer",
        "Writer",
        "Writer",
    ]


async def test_ranked_pages_stay_correct_while_jobs_are_posted_and_closed(
    api, db, employer, company, monkeypatch
):
    monkeypatch.setattr("server.jobs.service.SEARCH_WINDOW", 3)
    ids = [
        (await api.job(employer, company["id"], title=f"Rust engineer {n}"))["id"] for n in range(7)
    ]
    first = await board(api, q="rust", limit=2)
    seen = [job["id"] for job in first["items"]]
    posted = await api.job(employer, company["id"], title="Rust engineer, new")
    closed = next(i for i in reversed(ids) if i not in seen)
    await api.post(f"/api/jobs/{closed}/close", as_=employer, expect=200)
    assert first["next"]
    seen += [job["id"] for job in await walk(api, q="rust", limit=2, cursor=first["next"])]
    assert len(seen) == len(set(seen))  # no job twice
    assert set(ids) - {closed} <= set(seen)  # every job still open was shown
    assert closed not in seen[2:]
    assert posted["id"] not in seen[:2]


async def test_a_job_reopened_inside_a_window_being_paged_pushes_no_match_out(
    api, employer, company, monkeypatch
):
    """A job that enters a window's date range while someone pages through it (reopened,
    edited to match) makes the window one larger: its oldest match must not fall out of
    this window and, below its floor, out of the next one too."""
    monkeypatch.setattr("server.jobs.service.SEARCH_WINDOW", 5)
    # The older matches are description hits, so the first page (title hits rank first in
    # their window) never shows the window's oldest match.
    ids = [
        (await api.job(employer, company["id"], title=f"Engineer {n}", description="Rust."))["id"]
        for n in range(4)
    ]
    reopened = (await api.job(employer, company["id"], title="Rust engineer, paused"))["id"]
    await api.post(f"/api/jobs/{reopened}/close", as_=employer, expect=200)
    ids += [
        (await api.job(employer, company["id"], title=f"Rust engineer {n}"))["id"]
        for n in range(4, 7)
    ]
    first = await board(api, q="rust", limit=2)
    seen = [job["id"] for job in first["items"]]
    await api.post(f"/api/jobs/{reopened}/reopen", as_=employer, expect=200)
    assert first["next"]
    seen += [job["id"] for job in await walk(api, q="rust", limit=2, cursor=first["next"])]
    assert len(seen) == len(set(seen))
    assert set(ids) <= set(seen)  # every job open throughout was shown


async def test_more_query_words_matched_rank_higher(api, employer, company):
    await api.job(employer, company["id"], title="Go developer", description="Services.")
    await api.job(employer, company["id"], title="Rust and Go developer", description="APIs.")
    await api.job(employer, company["id"], title="Rust developer", description="Tools.")
    page = await board(api, q="rust or go")
    assert titles(page)[0] == "Rust and Go developer"


async def test_pages_keep_their_filters(api, db, employer, company):
    for index in range(5):
        await api.job(employer, company["id"], title=f"Remote {index}", remote=True)
        await api.job(employer, company["id"], title=f"Onsite {index}")
    items = await walk(api, remote="true", limit=2)
    assert sorted(titles({"items": items})) == [f"Remote {i}" for i in range(5)]


BAD_QUERIES = {
    "limit too large": ("limit=101", 422),
    "limit zero": ("limit=0", 422),
    "limit not a number": ("limit=ten", 422),
    "unknown status": ("status=draft", 422),
    "unknown employment type": ("employment_type=gig", 422),
    "remote not a boolean": ("remote=maybe", 422),
    "company id not a uuid": ("company_id=acme", 422),
    "skills_match unknown": ("skills_match=some", 422),
    "unknown parameter": ("skill=python", 422),
    "NUL in q": ("q=a%00b", 422),
    "q too long": ("q=" + "x" * 201, 422),
    "cursor garbage": ("cursor=!!!", 400),
    "cursor of wrong shape": ("cursor=WzFd", 400),
    "cursor with naive time": (
        "cursor=" + encode_cursor("2024-01-01T00:00:00", str(uuid.UUID(int=0))),
        400,
    ),
}


@pytest.mark.parametrize("query,status", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
async def test_bad_board_queries_are_refused(api, query, status):
    problem = await api.get(f"/api/jobs?{query}", expect=status)
    assert problem["status"] == status


async def test_cursor_of_the_other_ordering_is_400(api, db):
    await _many_jobs(api, db, 3, title="Rust engineer")
    newest = await board(api, limit=1)
    ranked = await board(api, q="rust", limit=1)
    await api.get("/api/jobs?" + urlencode({"q": "rust", "cursor": newest["next"]}), expect=400)
    await api.get("/api/jobs?" + urlencode({"cursor": ranked["next"]}), expect=400)
