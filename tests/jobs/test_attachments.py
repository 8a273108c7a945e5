"""A job's attachments are completed job_attachment uploads of the poster's, of the kind
each attachment's `type` says; colleagues keep each other's attachments when editing."""

from __future__ import annotations

from tests.jobs.conftest import add_member, count_jobs, job_row


async def test_attachments_must_be_the_posters_completed_job_attachments(
    api, db, employer, company
):
    stranger = await api.sign_up()
    pdf = await api.upload(employer, "job_attachment")
    strangers_pdf = await api.upload(stranger, "job_attachment")
    logo = await api.upload(employer, "org_logo")
    image = await api.upload(employer, "job_attachment", filename="a.png", content_type="image/png")
    cases = [
        ("https://files.example/benefits.pdf", "pdf", "not a file reference"),
        (strangers_pdf["url"], "pdf", "no upload of yours"),
        (logo["url"], "image", "uploaded as org_logo"),
        (pdf["url"], "video", "not video"),
        (image["url"], "pdf", "not pdf"),
        (pdf["url"] + "x", "pdf", "not a file reference"),
    ]
    for url, kind, message in cases:
        body = {"attachments": [{"title": "Benefits", "type": kind, "url": url}]}
        problem = await api.post(
            "/api/jobs",
            {"company_id": company["id"], "title": "Intern", "description": "Work.", **body},
            as_=employer,
            expect=422,
        )
        assert problem["errors"][0]["field"] == "body.attachments[0].url"
        assert message in problem["errors"][0]["message"], (url, problem)
    assert await count_jobs(db) == 0


async def test_a_colleague_keeps_attachments_and_adds_only_their_own(api, db, employer, company):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, company["id"], "recruiter")
    attachments = await api.job_attachments(employer)
    job = await api.job(employer, company["id"], attachments=attachments)

    before = await job_row(db, job["id"])
    outsider_upload = await api.upload(await api.sign_up(), "job_attachment")
    smuggled = [*attachments, {"title": "x", "type": "pdf", "url": outsider_upload["url"]}]
    problem = await api.patch(
        f"/api/jobs/{job['id']}", {"attachments": smuggled}, as_=recruiter, expect=422
    )
    assert problem["errors"][0]["field"] == "body.attachments[2].url"
    assert await job_row(db, job["id"]) == before

    own = await api.upload(recruiter, "job_attachment", filename="faq.pdf")
    added = [*attachments, {"title": "FAQ", "type": "pdf", "url": own["url"]}]
    edited = await api.patch(
        f"/api/jobs/{job['id']}", {"attachments": added}, as_=recruiter, expect=200
    )
    assert edited["attachments"] == added
    # an edit of other fields leaves the attachments alone
    edited = await api.patch(f"/api/jobs/{job['id']}", {"title": "New"}, as_=recruiter, expect=200)
    assert edited["attachments"] == added
