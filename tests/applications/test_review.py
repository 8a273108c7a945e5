"""The hiring side (workflow 1, step 3): listing a job's applicants and opening one."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.applications.conftest import application_row
from tests.jobs.conftest import add_member


async def test_recruiter_lists_applicants_filtered_and_paged(api, db, hiring):
    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    applications = []
    for _ in range(5):
        candidate = await api.sign_up(["student"])
        applications.append(
            await api.post(
                f"/api/jobs/{hiring.job['id']}/applications", {}, as_=candidate, expect=201
            )
        )
    await api.get(f"/api/applications/{applications[2]['id']}", as_=recruiter, expect=200)
    path = f"/api/jobs/{hiring.job['id']}/applications"
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await api.get(f"{path}?{urlencode(query)}", as_=recruiter, expect=200)
        seen += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    assert [a["id"] for a in seen] == [a["id"] for a in reversed(applications)]
    viewed = await api.get(f"{path}?status=viewed", as_=recruiter, expect=200)
    assert [a["id"] for a in viewed["items"]] == [applications[2]["id"]]
    submitted = await api.get(f"{path}?status=submitted", as_=recruiter, expect=200)
    assert len(submitted["items"]) == 4


async def test_only_the_companys_hiring_members_list_applicants(api, db, hiring, applied):
    path = f"/api/jobs/{hiring.job['id']}/applications"
    outsider = await api.sign_up(["employer"])
    await api.company(outsider, name="Rival")
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, hiring.company["id"], "recruiter", status="pending")
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, hiring.company["id"], "employee")
    candidate = await api.sign_up(["student"])
    for user in (outsider, pending, employee, candidate):
        await api.get(path, as_=user, expect=403)
    await api.get(path, expect=401)
    await api.get(
        "/api/jobs/00000000-0000-0000-0000-000000000000/applications", as_=outsider, expect=404
    )


async def test_opening_marks_submitted_viewed_once(api, db, hiring, applied):
    path = f"/api/applications/{applied['id']}"
    first = await api.get(path, as_=hiring.admin, expect=200)
    assert first["status"] == "viewed"
    changed = (await application_row(db, applied["id"]))["status_changed_at"]
    again = await api.get(path, as_=hiring.admin, expect=200)
    assert again["status"] == "viewed"
    assert (await application_row(db, applied["id"]))["status_changed_at"] == changed


async def test_opening_later_states_leaves_them_alone(api, db, hiring, applied):
    path = f"/api/applications/{applied['id']}"
    await api.get(path, as_=hiring.admin, expect=200)
    await api.post(f"{path}/status", {"status": "shortlisted"}, as_=hiring.admin, expect=200)
    assert (await api.get(path, as_=hiring.admin, expect=200))["status"] == "shortlisted"


async def test_candidate_opening_their_application_does_not_mark_it_viewed(
    api, db, applied, student
):
    before = await application_row(db, applied["id"])
    opened = await api.get(f"/api/applications/{applied['id']}", as_=student, expect=200)
    assert opened["status"] == "submitted"
    assert opened["candidate_id"] == str(student.id)
    assert await application_row(db, applied["id"]) == before


async def test_anyone_else_is_told_the_application_does_not_exist(api, db, hiring, applied):
    path = f"/api/applications/{applied['id']}"
    before = await application_row(db, applied["id"])
    rival = await api.sign_up(["employer"])
    await api.company(rival, name="Rival")
    former = await api.sign_up(["professional"])
    await add_member(db, former, hiring.company["id"], "recruiter", status="inactive")
    other_student = await api.sign_up(["student"])
    missing = await api.get(
        "/api/applications/00000000-0000-0000-0000-000000000000", as_=rival, expect=404
    )
    for user in (rival, former, other_student):
        problem = await api.get(path, as_=user, expect=404)
        assert problem["detail"] == missing["detail"]
    await api.get(path, expect=401)
    await api.get("/api/applications/not-a-uuid", as_=rival, expect=404)
    assert await application_row(db, applied["id"]) == before


async def test_withdrawn_candidates_resume_is_no_longer_shown_to_the_company(api):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    job = await api.job(hr, company["id"])
    student = await api.sign_up(["student"])
    resume = (await api.upload(student, "resume"))["url"]
    await api.patch(f"/api/profiles/{student.id}", {"resume_url": resume}, as_=student, expect=200)
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    listed = await api.get(f"/api/jobs/{job['id']}/applications", as_=hr, expect=200)
    assert listed["items"][0]["resume_url"] == resume
    await api.post(
        f"/api/applications/{application['id']}/status",
        {"status": "withdrawn"},
        as_=student,
        expect=200,
    )
    listed = await api.get(f"/api/jobs/{job['id']}/applications", as_=hr, expect=200)
    assert listed["items"][0]["resume_url"] is None
    opened = await api.get(f"/api/applications/{application['id']}", as_=hr, expect=200)
    assert opened.get("resume_url") is None


async def test_a_cookie_get_without_csrf_token_does_not_mark_the_application_viewed(api):
    import aiohttp

    from tests.client import PASSWORD

    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    job = await api.job(hr, company["id"])
    student = await api.sign_up(["student"])
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    async with aiohttp.ClientSession(
        base_url=api.client.make_url("/"), cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as browser:
        login = await browser.post(
            "/api/auth/login", json={"email": hr.email, "password": PASSWORD}
        )
        csrf = (await login.json())["csrf_token"]
        path = f"/api/applications/{application['id']}"
        cross_site = await browser.get(path)
        assert cross_site.status == 200
        assert (await cross_site.json())["status"] == "submitted"
        same_site = await browser.get(path, headers={"X-CSRF-Token": csrf})
        assert (await same_site.json())["status"] == "viewed"
