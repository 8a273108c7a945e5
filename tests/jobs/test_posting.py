"""Posting, reading, editing, closing and reopening jobs (workflow 1, step 2)."""

from __future__ import annotations

import pytest

from tests.jobs.conftest import add_member, count_jobs, job_row


async def test_company_admin_posts_job_with_attachments_and_anyone_reads_it(api, employer, company):
    attachments = await api.job_attachments(employer)
    job = await api.job(
        employer,
        company["id"],
        title="  Data Intern  ",
        attachments=attachments,
        location="Berlin",
        remote=True,
        salary_min=150_000,
        salary_max=250_000,
        salary_currency="EUR",
    )
    assert job["company_id"] == company["id"]
    assert job["company_name"] == "Acme Corp"
    assert job["poster_id"] == str(employer.id)
    assert job["title"] == "Data Intern"
    assert job["attachments"] == attachments
    assert await api.download(attachments[0]["url"]) == b"%PDF-1.4 benefits"
    assert job["status"] == "open" and job["closed_at"] is None
    assert (job["salary_min"], job["salary_max"], job["salary_currency"]) == (
        150_000,
        250_000,
        "EUR",
    )
    assert (job["location"], job["remote"], job["employment_type"]) == (
        "Berlin",
        True,
        "internship",
    )
    assert await api.get(f"/api/jobs/{job['id']}", expect=200) == job


async def test_active_recruiter_posts_jobs_for_the_company(api, db, company):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, company["id"], "recruiter")
    job = await api.job(recruiter, company["id"])
    assert job["poster_id"] == str(recruiter.id)


async def test_skills_are_trimmed_and_deduplicated_ignoring_case(api, employer, company):
    job = await api.job(
        employer,
        company["id"],
        skills_required=[" PostgreSQL ", "python", "postgresql", "Machine   learning", "Python"],
    )
    assert job["skills_required"] == ["PostgreSQL", "python", "Machine learning"]


async def test_optional_fields_default_sensibly(api, employer, company):
    body = {"company_id": company["id"], "title": "Engineer", "description": "Build things."}
    job = await api.post("/api/jobs", body, as_=employer, expect=201)
    assert job["skills_required"] == [] and job["attachments"] == []
    assert job["employment_type"] == "full_time" and job["remote"] is False
    assert job["location"] is None and job["salary_currency"] is None


async def test_posting_is_refused_to_everyone_but_active_hiring_members(api, db, company):
    outsider = await api.sign_up(["employer"])
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, company["id"], "recruiter", status="pending")
    inactive = await api.sign_up(["professional"])
    await add_member(db, inactive, company["id"], "admin", status="inactive")
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, company["id"], "employee")
    body = {"company_id": company["id"], "title": "Engineer", "description": "Build things."}
    for user in (outsider, pending, inactive, employee):
        await api.post("/api/jobs", body, as_=user, expect=403)
    unverified = await api.sign_up(["employer"], verified=False)
    await add_member(db, unverified, company["id"], "recruiter")
    await api.post("/api/jobs", body, as_=unverified, expect=403)
    await api.post("/api/jobs", body, expect=401)
    assert await count_jobs(db) == 0


async def test_only_companies_post_jobs(api, db):
    dean = await api.sign_up(["professional"])
    institute = await api.institute(dean)
    body = {"company_id": institute["id"], "title": "TA", "description": "Teach."}
    problem = await api.post("/api/jobs", body, as_=dean, expect=422)
    assert problem["errors"][0]["field"] == "company_id"
    body["company_id"] = "00000000-0000-0000-0000-000000000000"
    await api.post("/api/jobs", body, as_=dean, expect=422)
    assert await count_jobs(db) == 0


BAD_BODIES = {
    "missing title": {"title": None},
    "blank title": {"title": "   "},
    "title too long": {"title": "x" * 256},
    "title with NUL": {"title": "a\x00b"},
    "description wrong type": {"description": 42},
    "unknown field": {"status": "closed"},
    "unknown employment type": {"employment_type": "gig"},
    "remote not a boolean": {"remote": "yes"},
    "blank skill": {"skills_required": ["python", "  "]},
    "too many skills": {"skills_required": [f"skill{i}" for i in range(31)]},
    "skill not a string": {"skills_required": [1]},
    "attachment type unknown": {
        "attachments": [{"title": "x", "type": "exe", "url": "https://x.io/a"}]
    },
    "attachment not http": {"attachments": [{"title": "x", "type": "pdf", "url": "ftp://x.io/a"}]},
    "attachment not an upload": {
        "attachments": [{"title": "x", "type": "pdf", "url": "https://x.io/a.pdf"}]
    },
    "attachment extra field": {
        "attachments": [{"title": "x", "type": "pdf", "url": "https://x.io/a", "size": 1}]
    },
    "salary without currency": {"salary_min": 100},
    "currency without salary": {"salary_currency": "USD"},
    "currency lowercase": {"salary_min": 1, "salary_currency": "usd"},
    "salary range reversed": {"salary_min": 200, "salary_max": 100, "salary_currency": "USD"},
    "salary negative": {"salary_min": -1, "salary_currency": "USD"},
    "salary beyond bigint": {"salary_max": 10**30, "salary_currency": "USD"},
    "salary float": {"salary_max": 1.5, "salary_currency": "USD"},
    "company id not a uuid": {"company_id": "acme"},
}


@pytest.mark.parametrize("change", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_invalid_job_is_422_and_stores_nothing(api, db, employer, company, change):
    body = {"company_id": company["id"], "title": "Engineer", "description": "Build things."}
    body.update(change)
    problem = await api.post("/api/jobs", body, as_=employer, expect=422)
    assert problem["errors"], problem
    assert await count_jobs(db) == 0


async def test_a_missing_field_is_named_so_the_form_marks_that_input(api, db, employer, company):
    body = {"company_id": company["id"], "description": "Build things."}
    problem = await api.post("/api/jobs", body, as_=employer, expect=422)
    assert problem["errors"] == [{"field": "body.title", "message": "is required"}]
    assert await count_jobs(db) == 0


async def test_malformed_json_is_400(api, db, employer):
    await api.call(
        "POST",
        "/api/jobs",
        as_=employer,
        data=b'{"title": ',
        headers={"Content-Type": "application/json"},
        expect=400,
    )
    assert await count_jobs(db) == 0


async def test_unknown_or_malformed_job_id_is_404(api):
    await api.get("/api/jobs/00000000-0000-0000-0000-000000000000", expect=404)
    await api.get("/api/jobs/not-a-uuid", expect=404)


async def test_hiring_member_edits_only_the_fields_sent(api, employer, company):
    job = await api.job(
        employer, company["id"], location="Berlin", salary_min=1, salary_currency="USD"
    )
    edited = await api.patch(
        f"/api/jobs/{job['id']}",
        {"title": "Senior Intern", "location": None, "skills_required": ["Go", "go"]},
        as_=employer,
        expect=200,
    )
    assert edited["title"] == "Senior Intern"
    assert edited["location"] is None
    assert edited["skills_required"] == ["Go"]
    assert edited["description"] == job["description"]
    assert edited["salary_min"] == 1 and edited["salary_currency"] == "USD"
    assert edited["updated_at"] > job["updated_at"]


async def test_edit_is_validated_against_the_merged_job(api, db, employer, company):
    job = await api.job(employer, company["id"], salary_min=100, salary_currency="USD")
    before = await job_row(db, job["id"])
    path = f"/api/jobs/{job['id']}"
    await api.patch(path, {"salary_max": 50}, as_=employer, expect=422)
    await api.patch(path, {"salary_min": None}, as_=employer, expect=422)  # currency left over
    await api.patch(path, {"company_id": company["id"]}, as_=employer, expect=422)
    await api.patch(path, {"title": None}, as_=employer, expect=422)
    await api.patch(path, {"status": "closed"}, as_=employer, expect=422)
    assert await job_row(db, job["id"]) == before
    cleared = await api.patch(
        path, {"salary_min": None, "salary_currency": None}, as_=employer, expect=200
    )
    assert cleared["salary_min"] is None and cleared["salary_currency"] is None


async def test_empty_edit_changes_nothing(api, db, employer, company):
    job = await api.job(employer, company["id"])
    assert await api.patch(f"/api/jobs/{job['id']}", {}, as_=employer, expect=200) == job


async def test_edit_close_and_reopen_are_refused_to_non_members(api, db, employer, company):
    job = await api.job(employer, company["id"])
    before = await job_row(db, job["id"])
    other_hr = await api.sign_up(["employer"])
    await api.company(other_hr, name="Other Co")
    student = await api.sign_up(["student"])
    path = f"/api/jobs/{job['id']}"
    for user in (other_hr, student):
        await api.patch(path, {"title": "Hijacked"}, as_=user, expect=403)
        await api.post(f"{path}/close", as_=user, expect=403)
    await api.patch(path, {"title": "Hijacked"}, expect=401)
    await api.post(f"{path}/close", expect=401)
    assert await job_row(db, job["id"]) == before
    await api.post(f"{path}/close", as_=employer, expect=200)
    closed = await job_row(db, job["id"])
    await api.post(f"{path}/reopen", as_=student, expect=403)
    assert await job_row(db, job["id"]) == closed


async def test_edit_of_unknown_job_is_404(api, employer):
    missing = "/api/jobs/00000000-0000-0000-0000-000000000000"
    await api.patch(missing, {"title": "x"}, as_=employer, expect=404)
    await api.post(f"{missing}/close", as_=employer, expect=404)


async def test_close_and_reopen_move_status_once(api, employer, company):
    job = await api.job(employer, company["id"])
    path = f"/api/jobs/{job['id']}"
    closed = await api.post(f"{path}/close", as_=employer, expect=200)
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    problem = await api.post(f"{path}/close", as_=employer, expect=409)
    assert "already closed" in problem["detail"]
    reopened = await api.post(f"{path}/reopen", as_=employer, expect=200)
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    await api.post(f"{path}/reopen", as_=employer, expect=409)


async def test_second_close_keeps_the_first_closing_time(api, db, employer, company):
    job = await api.job(employer, company["id"])
    path = f"/api/jobs/{job['id']}"
    await api.post(f"{path}/close", as_=employer, expect=200)
    first = await job_row(db, job["id"])
    await api.post(f"{path}/close", as_=employer, expect=409)
    assert await job_row(db, job["id"]) == first
