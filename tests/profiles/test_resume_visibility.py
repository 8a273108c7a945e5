"""resume_url is private: its owner, and hiring members of companies the user applied to.

Most cases insert the application with SQL (see conftest.py) to set up memberships and
statuses directly; the last test goes through the real apply and withdraw routes.
"""

from __future__ import annotations


async def _candidate(api):
    candidate = await api.sign_up(["student"])
    resume = await api.upload(candidate, "resume")
    await api.patch(
        f"/api/profiles/{candidate.id}", {"resume_url": resume["url"]}, as_=candidate, expect=200
    )
    candidate.extra["resume_url"] = resume["url"]
    return candidate


async def test_company_admin_sees_resume_of_a_candidate_who_applied(api, hiring):
    candidate = await _candidate(api)
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    before = await api.get(f"/api/profiles/{candidate.id}", as_=hr, expect=200)
    assert "resume_url" not in before
    await hiring.apply(company["id"], hr.id, candidate.id)
    after = await api.get(f"/api/profiles/{candidate.id}", as_=hr, expect=200)
    assert after["resume_url"] == candidate.extra["resume_url"]


async def test_active_recruiter_sees_resume_but_pending_and_inactive_members_do_not(api, hiring):
    candidate = await _candidate(api)
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    await hiring.apply(company["id"], hr.id, candidate.id)
    recruiter, pending, former, employee = [await api.sign_up(["professional"]) for _ in range(4)]
    await hiring.add_member(company["id"], recruiter.id, "recruiter")
    await hiring.add_member(company["id"], pending.id, "recruiter", status="pending")
    await hiring.add_member(company["id"], former.id, "admin", status="inactive")
    await hiring.add_member(company["id"], employee.id, "employee")
    seen = await api.get(f"/api/profiles/{candidate.id}", as_=recruiter, expect=200)
    assert seen["resume_url"] == candidate.extra["resume_url"]
    for member in (pending, former, employee):
        seen = await api.get(f"/api/profiles/{candidate.id}", as_=member, expect=200)
        assert "resume_url" not in seen


async def test_members_of_other_companies_do_not_see_the_resume(api, hiring):
    candidate = await _candidate(api)
    hr = await api.sign_up(["employer"])
    applied_to = await api.company(hr, name="Acme")
    await hiring.apply(applied_to["id"], hr.id, candidate.id)
    rival = await api.sign_up(["employer"])
    await api.company(rival, name="Rival")
    seen = await api.get(f"/api/profiles/{candidate.id}", as_=rival, expect=200)
    assert "resume_url" not in seen


async def test_withdrawn_application_stops_sharing_the_resume(api, hiring):
    candidate = await _candidate(api)
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    await hiring.apply(company["id"], hr.id, candidate.id, status="withdrawn")
    seen = await api.get(f"/api/profiles/{candidate.id}", as_=hr, expect=200)
    assert "resume_url" not in seen


async def test_platform_admin_does_not_see_the_resume(api, db):
    candidate = await _candidate(api)
    admin = await api.admin(db)
    seen = await api.get(f"/api/profiles/{candidate.id}", as_=admin, expect=200)
    assert "resume_url" not in seen


async def test_resume_follows_a_real_application_until_it_is_withdrawn(api):
    candidate = await _candidate(api)
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    job = await api.job(hr, company["id"])
    application = await api.post(
        f"/api/jobs/{job['id']}/applications", {}, as_=candidate, expect=201
    )
    seen = await api.get(f"/api/profiles/{candidate.id}", as_=hr, expect=200)
    assert seen["resume_url"] == candidate.extra["resume_url"]
    await api.post(
        f"/api/applications/{application['id']}/status",
        {"status": "withdrawn"},
        as_=candidate,
        expect=200,
    )
    seen = await api.get(f"/api/profiles/{candidate.id}", as_=hr, expect=200)
    assert "resume_url" not in seen
