"""The job page's candidate side over plain HTTP (issue 15, items 1 and 6): the resume picker
offers only the viewer's own complete resumes, and "Your application" is found however many
applications the candidate has."""

from __future__ import annotations

import uuid

from tests.pages.conftest import hiring_setup
from tests.pages.test_routes import get


async def test_the_resume_picker_offers_only_your_own_complete_resumes(api):
    _recruiter, _company, job = await hiring_setup(api)
    ana = await api.sign_up(["student"])
    bo = await api.sign_up(["student"])
    on_profile = await api.upload(ana, "resume", filename="Ana profile.pdf")
    other = await api.upload(ana, "resume", filename="Ana tailored.pdf")
    await api.grant_upload(ana, "resume", 10, filename="Ana unfinished.pdf")
    await api.upload(ana, "portfolio", filename="Ana portfolio.png", content_type="image/png")
    await api.upload(bo, "resume", filename="Bo resume.pdf")
    await api.patch(f"/api/profiles/{ana.id}", {"resume_url": on_profile["url"]}, as_=ana)

    page = await (await get(api, f"/jobs/{job['id']}", ana)).text()
    assert f'<option value="{on_profile["url"]}" selected>Ana profile.pdf · on your profile' in page
    assert f'<option value="{other["url"]}">Ana tailored.pdf · uploaded ' in page
    for absent in ("Ana unfinished.pdf", "Ana portfolio.png", "Bo resume.pdf"):
        assert absent not in page


async def test_your_application_shows_beyond_your_hundred_newest(api, db):
    recruiter, company, job = await hiring_setup(api)
    ana = await api.sign_up(["student"])
    resume = await api.upload(ana, "resume", filename="Ana CV.pdf")
    await api.post(
        f"/api/jobs/{job['id']}/applications", {"resume_url": resume["url"]}, as_=ana, expect=201
    )
    async with db.connection() as conn:  # 120 newer applications to other jobs
        await conn.execute(
            "WITH j AS (INSERT INTO jobs (company_id, poster_id, title, description)"
            " SELECT $1, $2, 'Job ' || n, 'Later.' FROM generate_series(1, 120) n RETURNING id)"
            " INSERT INTO job_applications (job_id, candidate_id, submitted_at)"
            " SELECT id, $3, now() + interval '1 minute' FROM j",
            uuid.UUID(company["id"]),
            recruiter.id,
            ana.id,
        )
    page = await (await get(api, f"/jobs/{job['id']}", ana)).text()
    assert "Your application" in page
    assert "Ana CV.pdf" in page
    assert 'id="apply-form"' not in page
