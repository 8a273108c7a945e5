"""The design document's workflows end to end: the employer's (1) and the student's (2)."""

from __future__ import annotations

from tests.applications.conftest import give_profile

PROFILE_COLUMNS = ("candidate_id", "email", "full_name", "headline", "resume_url", "skills")


async def test_employer_posts_job_student_applies_recruiter_reviews(api, db):
    # Workflow 1, step 1: the HR manager signs up and creates the company.
    hr = await api.sign_up(["employer"])
    company = await api.company(hr, name="Rize Labs", website_url="https://rize.example")
    # Step 2: the verified HR manager posts a job with a PDF and a video attached.
    job = await api.job(
        hr,
        company["id"],
        title="Data Engineering Intern",
        description="Pipelines in Python and PostgreSQL.",
        skills_required=["Python", "PostgreSQL"],
        attachments=await api.job_attachments(hr),
    )
    assert [a["type"] for a in job["attachments"]] == ["pdf", "video"]

    # Workflow 2: a student with a profile finds the internship and applies.
    student = await api.sign_up(["student"])
    await give_profile(db, student, full_name="Ana Lima", headline="Data nerd")
    found = await api.get("/api/jobs?q=data+engineering&employment_type=internship", expect=200)
    assert [j["id"] for j in found["items"]] == [job["id"]]
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    assert application["status"] == "submitted"
    assert application["candidate_id"] == str(student.id)
    assert (application["job_title"], application["company_name"]) == (
        "Data Engineering Intern",
        "Rize Labs",
    )
    mine = await api.get("/api/me/applications", as_=student, expect=200)
    assert [a["id"] for a in mine["items"]] == [application["id"]]

    # Workflow 1, step 3: the HR manager lists the applicants, joined with their profiles...
    applicants = await api.get(f"/api/jobs/{job['id']}/applications", as_=hr, expect=200)
    [row] = applicants["items"]
    assert row["id"] == application["id"] and row["status"] == "submitted"
    assert {key: row[key] for key in PROFILE_COLUMNS} == {
        "candidate_id": str(student.id),
        "email": student.email,
        "full_name": "Ana Lima",
        "headline": "Data nerd",
        "resume_url": "https://files.example.com/ana-resume.pdf",
        "skills": {"claimed": ["Python", "SQL"], "verified": ["Python"]},
    }
    # ...and opening the application marks it viewed, which the student then sees.
    opened = await api.get(f"/api/applications/{application['id']}", as_=hr, expect=200)
    assert opened["status"] == "viewed"
    assert opened["full_name"] == "Ana Lima"
    mine = await api.get("/api/me/applications", as_=student, expect=200)
    assert mine["items"][0]["status"] == "viewed"

    # The hiring pipeline runs to an offer the student sees.
    for status in ("shortlisted", "interviewing", "offered"):
        moved = await api.post(
            f"/api/applications/{application['id']}/status", {"status": status}, as_=hr
        )
        assert moved["status"] == status
    mine = await api.get("/api/me/applications", as_=student, expect=200)
    assert mine["items"][0]["status"] == "offered"


async def test_professional_applies_with_a_cover_letter(api, hiring):
    pro = await api.sign_up(["professional"])
    application = await api.post(
        f"/api/jobs/{hiring.job['id']}/applications",
        {"cover_letter": "  Ten years of Postgres.  "},
        as_=pro,
        expect=201,
    )
    assert application["cover_letter"] == "Ten years of Postgres."


async def test_applicant_without_a_profile_is_listed_with_empty_fields(api, db, hiring):
    user = await api.sign_up(["student"])
    async with db.connection() as conn:
        await conn.execute("DELETE FROM profiles WHERE user_id = $1", user.id)
    await api.post(f"/api/jobs/{hiring.job['id']}/applications", {}, as_=user, expect=201)
    page = await api.get(f"/api/jobs/{hiring.job['id']}/applications", as_=hiring.admin, expect=200)
    candidate = page["items"][0]
    assert candidate["full_name"] is None and candidate["resume_url"] is None
    assert candidate["skills"] == {"claimed": [], "verified": []}
