"""What a job card shows besides the job: its company's logo and when it was posted, in every
listing that feeds a card (the board in its three query shapes, a job, recommendations, a
candidate's applications, a hiring team's applicants, and the companies one hires for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from tests.applications.conftest import give_profile


def posted_recently(value: str) -> bool:
    return abs(datetime.now(UTC) - datetime.fromisoformat(value)) < timedelta(minutes=5)


async def test_every_job_listing_carries_the_company_logo_and_posted_time(api, db, employer):
    logo = await api.upload(employer, "org_logo")
    branded = await api.company(employer, name="Logo Corp", logo_url=logo["url"])
    plain = await api.company(employer, name="Plain Corp")
    with_logo = await api.job(employer, branded["id"], title="Robotics engineer")
    without = await api.job(employer, plain["id"], title="Robotics tester")
    expected = {with_logo["id"]: logo["url"], without["id"]: None}

    assert with_logo["company_logo_url"] == logo["url"] and without["company_logo_url"] is None
    for query in ({}, {"q": "robotics"}, {"skills": "python"}, {"company_id": branded["id"]}):
        page = await api.get("/api/jobs?" + urlencode(query), expect=200)
        assert page["items"], query
        for item in page["items"]:
            assert item["company_logo_url"] == expected[item["id"]], query
            assert posted_recently(item["created_at"]), query
    hiring_for = await api.get("/api/me/memberships", as_=employer, expect=200)
    logos = {m["organization"]["name"]: m["organization"]["logo_url"] for m in hiring_for["items"]}
    assert logos == {"Logo Corp": logo["url"], "Plain Corp": None}
    seen = await api.get(f"/api/jobs/{with_logo['id']}", expect=200)
    assert seen["company_logo_url"] == logo["url"] and posted_recently(seen["created_at"])

    student = await api.sign_up(["student"])
    await give_profile(db, student, skills={"claimed": ["python"], "verified": []})
    recommended = await api.get("/api/jobs/recommended", as_=student, expect=200)
    assert {i["job"]["id"]: i["job"]["company_logo_url"] for i in recommended["items"]} == expected

    applied = await api.post(
        f"/api/jobs/{with_logo['id']}/applications", {}, as_=student, expect=201
    )
    assert applied["company_logo_url"] == logo["url"]
    mine = await api.get("/api/me/applications", as_=student, expect=200)
    assert [a["company_logo_url"] for a in mine["items"]] == [logo["url"]]
    applicants = await api.get(
        f"/api/jobs/{with_logo['id']}/applications", as_=employer, expect=200
    )
    assert [a["company_logo_url"] for a in applicants["items"]] == [logo["url"]]
    one = await api.get(f"/api/applications/{applied['id']}", as_=employer, expect=200)
    assert one["company_logo_url"] == logo["url"]


async def test_a_new_logo_shows_on_the_company_jobs_at_once(api, employer, company):
    job = await api.job(employer, company["id"])
    assert (await api.get(f"/api/jobs/{job['id']}", expect=200))["company_logo_url"] is None
    logo = await api.upload(employer, "org_logo")
    await api.patch(
        f"/api/organizations/{company['id']}", {"logo_url": logo["url"]}, as_=employer, expect=200
    )
    assert (await api.get(f"/api/jobs/{job['id']}", expect=200))["company_logo_url"] == logo["url"]
