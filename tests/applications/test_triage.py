"""Recruiter triage (issue 15, item 4): a job's applicants filtered by status, sorted by match
score or date with keyset pages, counts per status, the one-row read the live row uses, the
stored score kept honest, and "new since your last visit"."""

from __future__ import annotations

import html
import uuid
from urllib.parse import urlencode

import pytest

from tests.applications.conftest import give_profile, set_status
from tests.jobs.conftest import add_member

STATUSES = (
    "submitted",
    "viewed",
    "shortlisted",
    "interviewing",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
)
# Skills for candidates of the "Backend Intern" job (python, postgresql): every score level.
SKILLS = [
    {"claimed": ["Python", "PostgreSQL"], "verified": ["Python", "PostgreSQL"]},
    {"claimed": ["Python", "PostgreSQL"], "verified": ["Python"]},
    {"claimed": ["Python", "PostgreSQL"], "verified": []},
    {"claimed": ["Python"], "verified": []},
    {"claimed": ["Python"], "verified": []},  # ties with the one above
    {"claimed": ["Cobol"], "verified": []},
    {"claimed": [], "verified": []},
]


async def applicants(api, db, job_id: str, n: int | None = None) -> list[dict]:
    """Candidates with the skill sets above (and one with an empty profile) applying in turn."""
    made = []
    for skills in SKILLS[:n]:
        candidate = await api.sign_up(["student"])
        await give_profile(db, candidate, skills=skills, headline="Student")
        made.append(
            await api.post(f"/api/jobs/{job_id}/applications", {}, as_=candidate, expect=201)
        )
    bare = await api.sign_up(["student"])
    made.append(await api.post(f"/api/jobs/{job_id}/applications", {}, as_=bare, expect=201))
    return made


async def all_pages(api, user, job_id: str, **query) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        page = await api.get(
            f"/api/jobs/{job_id}/applications?{urlencode(params)}", as_=user, expect=200
        )
        items += page["items"]
        cursor, pages = page["next"], pages + 1
        if cursor is None:
            return items
        assert pages < 50


@pytest.mark.parametrize("sort", ["score", "newest", "oldest"])
async def test_each_sort_pages_through_every_applicant_once_in_order(api, db, hiring, sort):
    made = await applicants(api, db, hiring.job["id"])
    items = await all_pages(api, hiring.admin, hiring.job["id"], sort=sort, limit=2)
    ids = [a["id"] for a in items]
    assert sorted(ids) == sorted(a["id"] for a in made)  # no gap, no duplicate
    assert len(set(ids)) == len(ids)
    submitted = [a["submitted_at"] for a in items]
    if sort == "newest":
        assert ids == [a["id"] for a in reversed(made)]
    elif sort == "oldest":
        assert ids == [a["id"] for a in made]
    else:
        keys = [(a["match"]["score"], s) for a, s in zip(items, submitted, strict=True)]
        assert keys == sorted(keys, reverse=True)
        assert items[0]["match"]["score"] > items[-1]["match"]["score"] == 0
        # the two equal scores: the newer first
        tied = [a["id"] for a in items if a["match"]["score"] == items[3]["match"]["score"]]
        assert tied == [made[4]["id"], made[3]["id"]]


async def test_scores_and_reasons_are_those_of_the_ranked_candidates(api, db, hiring):
    await applicants(api, db, hiring.job["id"])
    listed = await all_pages(api, hiring.admin, hiring.job["id"], sort="score", limit=100)
    ranked = await api.get(
        f"/api/jobs/{hiring.job['id']}/candidates?limit=100", as_=hiring.admin, expect=200
    )
    by_id = {c["application_id"]: c for c in ranked["items"]}
    assert set(by_id) == {a["id"] for a in listed}  # every applicant has a profile row
    for item in listed:
        candidate = by_id[item["id"]]
        assert item["match"] == {"score": candidate["score"], "reasons": candidate["reasons"]}
    bare = listed[-1]  # signed up, nothing in the profile: scores 0, misses every skill
    assert bare["match"]["score"] == 0
    assert bare["match"]["reasons"]["missing_skills"] == ["python", "postgresql"]


async def test_status_filter_and_counts_of_every_status(api, db, hiring):
    made = await applicants(api, db, hiring.job["id"], n=4)
    await set_status(db, made[0]["id"], "shortlisted")
    await set_status(db, made[1]["id"], "shortlisted")
    await set_status(db, made[2]["id"], "withdrawn")
    path = f"/api/jobs/{hiring.job['id']}/applications"
    for sort in ("score", "newest", "oldest"):
        page = await api.get(f"{path}?status=shortlisted&sort={sort}", as_=hiring.admin)
        assert {a["id"] for a in page["items"]} == {made[0]["id"], made[1]["id"]}
        assert {a["status"] for a in page["items"]} == {"shortlisted"}
    counts = page["counts"]
    assert list(counts) == list(STATUSES)  # every status, zero included
    assert counts == {
        **dict.fromkeys(STATUSES, 0),
        "submitted": 2,
        "shortlisted": 2,
        "withdrawn": 1,
    }
    none = await api.get(f"{path}?status=hired", as_=hiring.admin, expect=200)
    assert none["items"] == [] and none["next"] is None and none["counts"] == counts


async def test_bad_query_values_and_foreign_cursors_are_refused(api, db, hiring):
    await applicants(api, db, hiring.job["id"], n=3)
    path = f"/api/jobs/{hiring.job['id']}/applications"
    bad = await api.get(f"{path}?sort=salary", as_=hiring.admin, expect=422)
    assert bad["errors"][0]["field"] == "query.sort"
    await api.get(f"{path}?status=maybe", as_=hiring.admin, expect=422)
    await api.get(f"{path}?limit=101", as_=hiring.admin, expect=422)
    newest = await api.get(f"{path}?sort=newest&limit=1", as_=hiring.admin, expect=200)
    for sort in ("oldest", "score"):
        query = urlencode({"sort": sort, "cursor": newest["next"]})
        problem = await api.get(f"{path}?{query}", as_=hiring.admin, expect=400)
        assert "cursor" in problem["detail"]
    await api.get(f"{path}?cursor=not-a-cursor", as_=hiring.admin, expect=400)


async def test_the_one_row_read_equals_the_listed_row(api, db, hiring):
    """What the live row of a new applicant reads is the reloaded row, number for number."""
    made = await applicants(api, db, hiring.job["id"], n=3)
    listed = await all_pages(api, hiring.admin, hiring.job["id"], sort="score")
    for item in listed:
        row = await api.get(
            f"/api/jobs/{hiring.job['id']}/applications/{item['id']}", as_=hiring.admin, expect=200
        )
        assert row == item
    # reading it marks nothing viewed
    assert all(a["status"] == "submitted" for a in listed)
    other = await api.job(hiring.admin, hiring.company["id"], title="Other")
    await api.get(
        f"/api/jobs/{other['id']}/applications/{made[0]['id']}", as_=hiring.admin, expect=404
    )
    outsider = await api.sign_up(["employer"])
    await api.get(
        f"/api/jobs/{hiring.job['id']}/applications/{made[0]['id']}", as_=outsider, expect=403
    )


async def score_of(api, user, job_id: str, application_id: str) -> float:
    row = await api.get(f"/api/jobs/{job_id}/applications/{application_id}", as_=user)
    return row["match"]["score"]


async def stored_scores(db, job_id: str) -> dict[str, float]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id::text, match_score FROM job_applications WHERE job_id = $1",
            uuid.UUID(job_id),
        )
    return {r["id"]: r["match_score"] for r in rows}


async def assert_stored_scores_are_fresh(api, db, user, job_id: str) -> None:
    """The stored score (the sort key) equals the score computed now from job and profile."""
    ranked = await api.get(f"/api/jobs/{job_id}/candidates?limit=100", as_=user, expect=200)
    stored = await stored_scores(db, job_id)
    for candidate in ranked["items"]:
        assert round(stored[candidate["application_id"]], 4) == candidate["score"]


async def test_stored_score_follows_profile_and_job_edits(api, db, hiring):
    candidate = await api.sign_up(["student"])
    await give_profile(db, candidate, skills={"claimed": ["Cobol"], "verified": []})
    applied = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications", {}, as_=candidate, expect=201
    )
    rival = await api.sign_up(["student"])
    await give_profile(db, rival, skills={"claimed": ["Python"], "verified": []})
    await api.post(f"/api/jobs/{hiring.job['id']}/applications", {}, as_=rival, expect=201)
    job_id = hiring.job["id"]
    before = await score_of(api, hiring.admin, job_id, applied["id"])

    # The candidate learns the job's skills: their application climbs to the top.
    await api.patch(
        f"/api/profiles/{candidate.id}",
        {"skills": {"claimed": ["Python", "PostgreSQL"]}},
        as_=candidate,
        expect=200,
    )
    after_profile = await score_of(api, hiring.admin, job_id, applied["id"])
    assert after_profile > before
    await assert_stored_scores_are_fresh(api, db, hiring.admin, job_id)
    top = await api.get(f"/api/jobs/{job_id}/applications?sort=score", as_=hiring.admin)
    assert top["items"][0]["id"] == applied["id"]

    # The job now asks for a skill nobody has: every stored score follows.
    await api.patch(f"/api/jobs/{job_id}", {"skills_required": ["go"]}, as_=hiring.admin)
    await assert_stored_scores_are_fresh(api, db, hiring.admin, job_id)
    top = await api.get(f"/api/jobs/{job_id}/applications?sort=score", as_=hiring.admin)
    assert {tuple(a["match"]["reasons"]["missing_skills"]) for a in top["items"]} == {("go",)}
    await api.patch(
        f"/api/profiles/{candidate.id}", {"skills": {"claimed": ["Go"]}}, as_=candidate, expect=200
    )
    await assert_stored_scores_are_fresh(api, db, hiring.admin, job_id)
    top = await api.get(f"/api/jobs/{job_id}/applications?sort=score", as_=hiring.admin)
    assert top["items"][0]["id"] == applied["id"]


async def test_only_the_hiring_team_reads_the_dashboard(api, db, hiring, applied):
    path = f"/api/jobs/{hiring.job['id']}/applications"
    outsider = await api.sign_up(["employer"])
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, hiring.company["id"], "recruiter", status="pending")
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, hiring.company["id"], "employee")
    candidate = await api.sign_up(["student"])
    for user in (outsider, pending, employee, candidate):
        await api.get(path, as_=user, expect=403)
        await api.get(f"{path}/{applied['id']}", as_=user, expect=403)
    await api.get(path, expect=401)
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    assert len((await api.get(path, as_=recruiter, expect=200))["items"]) == 1
    await api.get(f"/api/jobs/{uuid.uuid4()}/applications", as_=recruiter, expect=404)


def cookie(user) -> dict[str, str]:
    return {"Cookie": f"rizeos_session={user.token}"}


async def page_text(api, user, path: str) -> str:
    response = await api.client.get(path, headers=cookie(user))
    assert response.status == 200, path
    return await response.text()


def new_count(html: str, job_id: str) -> int:
    marker = f'data-job-id="{job_id}" data-new="'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index('"', start)])


async def test_new_since_last_visit_counts_per_user(api, db, hiring):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    job_id = hiring.job["id"]
    await applicants(api, db, job_id, n=1)  # two applications
    assert new_count(await page_text(api, hiring.admin, "/hiring"), job_id) == 2  # never visited

    applicants_page = await page_text(api, hiring.admin, f"/jobs/{job_id}/applicants")
    assert "new-badge" not in applicants_page  # a first visit marks nothing new
    assert new_count(await page_text(api, hiring.admin, "/hiring"), job_id) == 0
    assert new_count(await page_text(api, recruiter, "/hiring"), job_id) == 2  # theirs

    late = await api.sign_up(["student"], full_name="Late Larry")
    late_app = await api.post(f"/api/jobs/{job_id}/applications", {}, as_=late, expect=201)
    withdrawn = await api.sign_up(["student"])
    gone = await api.post(f"/api/jobs/{job_id}/applications", {}, as_=withdrawn, expect=201)
    await api.post(f"/api/applications/{gone['id']}/status", {"status": "withdrawn"}, as_=withdrawn)
    hiring_page = await page_text(api, hiring.admin, "/hiring")
    assert new_count(hiring_page, job_id) == 1  # the withdrawn one is not news
    again = await page_text(api, hiring.admin, f"/jobs/{job_id}/applicants")
    row = again[again.index(f'data-application-id="{late_app["id"]}"') :]
    assert "new-badge" in row[: row.index("</tr>")]
    assert "Your last visit" in again
    assert new_count(await page_text(api, hiring.admin, "/hiring"), job_id) == 0
    # Within the dashboard (here: the Submitted tab) the same rows stay marked new.
    start = again.index('href="?status=submitted') + len('href="')
    tab = html.unescape(again[start : again.index('"', start)])
    assert "since=" in tab
    filtered = await page_text(api, hiring.admin, f"/jobs/{job_id}/applicants{tab}")
    row = filtered[filtered.index(f'data-application-id="{late_app["id"]}"') :]
    assert "new-badge" in row[: row.index("</tr>")]


async def test_hiring_page_shows_counts_per_status(api, db, hiring):
    made = await applicants(api, db, hiring.job["id"], n=3)
    await set_status(db, made[0]["id"], "interviewing")
    html = await page_text(api, hiring.admin, "/hiring")
    section = html[html.index(f'data-job-id="{hiring.job["id"]}"') :]
    assert 'data-count="submitted">submitted 3<' in section
    assert 'data-count="interviewing">interviewing 1<' in section
    assert 'data-count="hired"' not in section  # statuses nobody is in are left out


@pytest.mark.parametrize(
    "since",
    [
        "0001-01-01T00:00:00+01:00",  # a year-0 time in UTC: it used to be a 500
        "9999-12-31T23:59:59-01:00",
        "1900-01-01T00:00:00+00:00",
        "2999-01-01T00:00:00+00:00",  # in the future
        "2026-01-01T00:00:00",  # no zone
        "yesterday",
    ],
)
async def test_an_out_of_range_or_malformed_since_is_ignored(api, db, hiring, since):
    await applicants(api, db, hiring.job["id"], n=1)
    text = await page_text(
        api, hiring.admin, f"/jobs/{hiring.job['id']}/applicants?{urlencode({'since': since})}"
    )
    # A first visit: no last visit to show, no row marked new, and no trace of `since`.
    assert "Your last visit" not in text and "new-badge" not in text
    assert "since=" not in text


async def test_a_valid_since_marks_the_rows_submitted_after_it(api, db, hiring):
    made = await applicants(api, db, hiring.job["id"], n=1)
    query = urlencode({"since": "2001-01-01T00:00:00+01:00"})
    text = await page_text(api, hiring.admin, f"/jobs/{hiring.job['id']}/applicants?{query}")
    assert "Your last visit" in text
    for application in made:
        row = text[text.index(f'data-application-id="{application["id"]}"') :]
        assert "new-badge" in row[: row.index("</tr>")]
