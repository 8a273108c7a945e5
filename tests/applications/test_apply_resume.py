"""Applying with a resume and a cover letter (issue 15, item 1): the application keeps the
file it was submitted with, whatever the profile holds later, and the company reads exactly
that file while the application is not withdrawn."""

from __future__ import annotations

import uuid

import pytest

from tests.applications.conftest import count_applications
from tests.uploads.test_files import assert_hidden, assert_opens


async def set_profile_resume(api, user, url: str | None) -> None:
    await api.patch(f"/api/profiles/{user.id}", {"resume_url": url}, as_=user, expect=200)


def apply_path(job: dict) -> str:
    return f"/api/jobs/{job['id']}/applications"


@pytest.fixture
async def company(api):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr, name="Acme Corp")
    job = await api.job(hr, company["id"], title="Backend Intern")
    return {"hr": hr, "company": company, "job": job}


async def test_applying_takes_the_profile_resume_by_default_and_keeps_it(api, company):
    ana = await api.sign_up(["student"])
    first = await api.upload(ana, "resume", b"%PDF first", filename="Ana CV 2025.pdf")
    await set_profile_resume(api, ana, first["url"])

    application = await api.post(apply_path(company["job"]), {}, as_=ana, expect=201)
    assert application["resume_url"] == first["url"]
    assert application["resume_filename"] == "Ana CV 2025.pdf"
    assert application["resume_uploaded_at"] == first["completed_at"]

    second = await api.upload(ana, "resume", b"%PDF second", filename="Ana CV 2026.pdf")
    await set_profile_resume(api, ana, second["url"])

    seen = await api.get(f"/api/applications/{application['id']}", as_=company["hr"], expect=200)
    assert (seen["resume_url"], seen["resume_filename"]) == (first["url"], "Ana CV 2025.pdf")
    listed = await api.get(f"/api/jobs/{company['job']['id']}/applications", as_=company["hr"])
    assert listed["items"][0]["resume_filename"] == "Ana CV 2025.pdf"
    mine = await api.get("/api/me/applications", as_=ana, expect=200)
    assert mine["items"][0]["resume_url"] == first["url"]
    # the company downloads the file applied with, byte for byte
    assert await api.download(seen["resume_url"], company["hr"]) == b"%PDF first"


async def test_a_chosen_resume_upload_is_submitted_instead_of_the_profiles(api, company):
    ana = await api.sign_up(["student"])
    on_profile = await api.upload(ana, "resume", b"%PDF general", filename="General.pdf")
    await set_profile_resume(api, ana, on_profile["url"])
    tailored = await api.upload(ana, "resume", b"%PDF backend", filename="Backend.pdf")

    application = await api.post(
        apply_path(company["job"]), {"resume_url": tailored["url"]}, as_=ana, expect=201
    )
    assert application["resume_filename"] == "Backend.pdf"
    assert await api.download(tailored["url"], company["hr"]) == b"%PDF backend"
    # the profile's resume is shown to companies the candidate applied to, so it opens too
    await assert_opens(api, on_profile["url"], company["hr"])


async def test_applying_without_a_resume_on_request_or_when_the_profile_has_none(api, company):
    ana = await api.sign_up(["student"])
    resume = await api.upload(ana, "resume", b"%PDF ana")
    await set_profile_resume(api, ana, resume["url"])
    application = await api.post(
        apply_path(company["job"]), {"resume_url": None}, as_=ana, expect=201
    )
    assert application["resume_url"] is application["resume_filename"] is None

    bo = await api.sign_up(["student"])
    other = await api.post(apply_path(company["job"]), {}, as_=bo, expect=201)
    assert other["resume_url"] is None


async def refused(api, job, user, resume_url: str) -> str:
    problem = await api.post(apply_path(job), {"resume_url": resume_url}, as_=user, expect=422)
    [error] = problem["errors"]
    assert error["field"] == "body.resume_url"
    return error["message"]


async def test_a_resume_that_is_not_a_complete_resume_upload_of_yours_is_422(api, db, company):
    ana = await api.sign_up(["student"])
    bo = await api.sign_up(["student"])
    job = company["job"]

    foreign = await api.upload(bo, "resume", b"%PDF bo")
    assert "no upload of yours" in await refused(api, job, ana, foreign["url"])

    grant = await api.grant_upload(ana, "resume", 4)
    pending_url = foreign["url"].replace(foreign["id"], grant["upload"]["id"])
    assert "not complete" in await refused(api, job, ana, pending_url)

    photo = await api.upload(ana, "portfolio", b"png")
    assert "uploaded as portfolio" in await refused(api, job, ana, photo["url"])

    assert "not a file reference" in await refused(api, job, ana, "https://example.com/cv.pdf")
    missing = foreign["url"].replace(foreign["id"], str(uuid.uuid4()))
    assert "no upload of yours" in await refused(api, job, ana, missing)

    await api.post(apply_path(job), {"resume_url": "not a url"}, as_=ana, expect=422)
    assert await count_applications(db) == 0


async def test_the_cover_letter_is_trimmed_and_a_blank_one_is_none(api, company):
    ana = await api.sign_up(["student"])
    bo = await api.sign_up(["student"])
    job = company["job"]
    kept = await api.post(
        apply_path(job), {"cover_letter": "  \n Dear Acme,\nhire me.\n\n "}, as_=ana, expect=201
    )
    assert kept["cover_letter"] == "Dear Acme,\nhire me."
    blank = await api.post(apply_path(job), {"cover_letter": " \n\t "}, as_=bo, expect=201)
    assert blank["cover_letter"] is None
    seen = await api.get(f"/api/applications/{kept['id']}", as_=company["hr"], expect=200)
    assert seen["cover_letter"] == "Dear Acme,\nhire me."


async def test_the_company_reads_only_resumes_submitted_to_it_until_withdrawn(api, company):
    hr = company["hr"]
    other_hr = await api.sign_up(["employer"])
    other = await api.company(other_hr, name="Other Corp")
    other_job = await api.job(other_hr, other["id"], title="Data Intern")
    ana = await api.sign_up(["student"])
    for_acme = await api.upload(ana, "resume", b"%PDF acme")
    for_other = await api.upload(ana, "resume", b"%PDF other")
    never_sent = await api.upload(ana, "resume", b"%PDF drawer")

    to_acme = await api.post(
        apply_path(company["job"]), {"resume_url": for_acme["url"]}, as_=ana, expect=201
    )
    await api.post(apply_path(other_job), {"resume_url": for_other["url"]}, as_=ana, expect=201)

    await assert_opens(api, for_acme["url"], hr, b"%PDF acme")
    await assert_hidden(api, for_other["url"], hr)  # sent to another company only
    await assert_hidden(api, for_acme["url"], other_hr)
    await assert_opens(api, for_other["url"], other_hr, b"%PDF other")
    for user in (hr, other_hr):
        await assert_hidden(api, never_sent["url"], user)

    await api.post(
        f"/api/applications/{to_acme['id']}/status", {"status": "withdrawn"}, as_=ana, expect=200
    )
    await assert_hidden(api, for_acme["url"], hr)
    seen = await api.get(f"/api/applications/{to_acme['id']}", as_=hr, expect=200)
    assert seen["resume_url"] is None
    # the candidate keeps reading their own files, and sees what they sent
    await assert_opens(api, for_acme["url"], ana, b"%PDF acme")
    mine = await api.get(f"/api/applications/{to_acme['id']}", as_=ana, expect=200)
    assert mine["resume_url"] == for_acme["url"]
