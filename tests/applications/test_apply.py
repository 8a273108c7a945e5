"""Applying to a job (workflow 2, step 3) and listing one's own applications."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest

from tests.applications.conftest import count_applications
from tests.jobs.conftest import add_member


def apply_path(hiring) -> str:
    return f"/api/jobs/{hiring.job['id']}/applications"


async def test_second_application_to_the_same_job_is_409(api, db, hiring, applied, student):
    problem = await api.post(apply_path(hiring), {}, as_=student, expect=409)
    assert "already applied" in problem["detail"]
    assert await count_applications(db) == 1


async def test_simultaneous_applications_make_exactly_one(api, db, hiring, student):
    results = await asyncio.gather(
        *(api.call("POST", apply_path(hiring), as_=student, json={}) for _ in range(5))
    )
    assert sorted(r["status"] if "type" in r else 201 for r in results) == [201] + [409] * 4
    assert await count_applications(db) == 1


async def test_closed_job_refuses_applications_with_409(api, db, hiring, student):
    await api.post(f"/api/jobs/{hiring.job['id']}/close", as_=hiring.admin, expect=200)
    problem = await api.post(apply_path(hiring), {}, as_=student, expect=409)
    assert "closed" in problem["detail"]
    assert await count_applications(db) == 0
    await api.post(f"/api/jobs/{hiring.job['id']}/reopen", as_=hiring.admin, expect=200)
    await api.post(apply_path(hiring), {}, as_=student, expect=201)


async def test_only_verified_students_and_professionals_apply(api, db, hiring):
    employer = await api.sign_up(["employer"])
    freelancer = await api.sign_up(["freelancer"])
    for user in (employer, freelancer):
        problem = await api.post(apply_path(hiring), {}, as_=user, expect=403)
        assert "students and professionals" in problem["detail"]
    unverified = await api.sign_up(["student"], verified=False)
    await api.post(apply_path(hiring), {}, as_=unverified, expect=403)
    await api.post(apply_path(hiring), {}, expect=401)
    assert await count_applications(db) == 0


async def test_hiring_members_cannot_apply_to_their_own_company(api, db, hiring):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    await api.post(apply_path(hiring), {}, as_=recruiter, expect=403)
    assert await count_applications(db) == 0


async def test_applying_to_unknown_job_is_404(api, db, student):
    missing = "00000000-0000-0000-0000-000000000000"
    await api.post(f"/api/jobs/{missing}/applications", {}, as_=student, expect=404)
    await api.post("/api/jobs/nope/applications", {}, as_=student, expect=404)
    assert await count_applications(db) == 0


BAD_BODIES = {
    "unknown field": {"status": "hired"},
    "cover letter not text": {"cover_letter": 7},
    "cover letter too long": {"cover_letter": "x" * 10_001},
    "cover letter with NUL": {"cover_letter": "hi\x00"},
    "not an object": [],
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_invalid_application_is_422_and_stores_nothing(api, db, hiring, student, body):
    await api.post(apply_path(hiring), body, as_=student, expect=422)
    assert await count_applications(db) == 0


async def test_my_applications_show_only_mine_filtered_and_paged(api, db, student):
    other = await api.sign_up(["student"])
    admin = await api.sign_up(["employer"])
    company = await api.company(admin, name="Pager Inc")
    applied = []
    for index in range(5):
        job = await api.job(admin, company["id"], title=f"Job {index}")
        applied.append(
            await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
        )
        await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=other, expect=201)
    await api.post(
        f"/api/applications/{applied[1]['id']}/status",
        {"status": "withdrawn"},
        as_=student,
        expect=200,
    )
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await api.get(f"/api/me/applications?{urlencode(query)}", as_=student, expect=200)
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    assert [a["id"] for a in seen] == [a["id"] for a in reversed(applied)]
    assert {a["candidate_id"] for a in seen} == {str(student.id)}
    assert seen[0]["company_name"] == "Pager Inc" and seen[0]["job_title"] == "Job 4"
    withdrawn = await api.get("/api/me/applications?status=withdrawn", as_=student, expect=200)
    assert [a["id"] for a in withdrawn["items"]] == [applied[1]["id"]]


async def test_my_applications_need_a_login_and_valid_query(api, student):
    await api.get("/api/me/applications", expect=401)
    await api.get("/api/me/applications?status=lost", as_=student, expect=422)
    await api.get("/api/me/applications?limit=101", as_=student, expect=422)
    await api.get("/api/me/applications?cursor=bad", as_=student, expect=400)
