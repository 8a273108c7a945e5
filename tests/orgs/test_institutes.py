"""The "Verified student of X" badge (who shows it, and when it goes), and the institute
page's figures (anyone) and student list (its admins only)."""

from __future__ import annotations

import uuid

from tests.applications.test_triage import page_text
from tests.orgs.test_domains import at, register, verified_institute


async def badge(api, viewer, user) -> list[tuple[str, str]]:
    profile = await api.get(f"/api/profiles/{user.id}", as_=viewer, expect=200)
    return [(i["name"], i["role"]) for i in profile["verified_institutes"]]


async def test_active_student_of_a_verified_institute_shows_the_badge(api, memberships):
    _, org, _ = await verified_institute(api, name="State University")
    student = await api.sign_up(email=at("uni.example"))
    await memberships.join(student, org, "student")
    viewer = await api.sign_up(["employer"])
    assert await badge(api, viewer, student) == [("State University", "student")]
    assert await badge(api, student, student) == [("State University", "student")]
    profile = await api.get(f"/api/profiles/{student.id}", as_=viewer)
    assert profile["verified_institutes"][0] == {
        "id": org["id"],
        "name": "State University",
        "logo_url": None,
        "role": "student",
    }


async def test_alumni_show_as_alumni_and_faculty_show_nothing(api, memberships):
    admin, org, _ = await verified_institute(api)
    alumnus = await api.sign_up(email=at("uni.example"))
    await memberships.join(alumnus, org, "alumni")
    teacher = await memberships.member_of(org, "faculty", admin)
    assert await badge(api, admin, alumnus) == [("State University", "alumni")]
    assert await badge(api, admin, teacher) == []
    assert await badge(api, alumnus, admin) == []  # admins are not students


async def test_no_badge_for_a_pending_membership(api, memberships):
    _, org, _ = await verified_institute(api)
    student = await api.sign_up(email=at("example.com"))
    request = await memberships.join(student, org, "student")
    assert request["status"] == "pending"
    assert await badge(api, student, student) == []


async def test_no_badge_from_an_unverified_institute_until_the_platform_verifies_it(
    api, memberships, db
):
    owner = await api.sign_up(["professional"])
    org = await api.institute(owner, name="Unproven College")
    await register(api, owner, org, "unproven.example")  # no admin on it: does not count
    student = await memberships.member_of(org, "student", owner)
    assert await badge(api, student, student) == []
    platform = await api.admin(db)
    path = f"/api/admin/organizations/{org['id']}/verification"
    await api.post(path, {"is_verified": True}, as_=platform, expect=200)
    assert await badge(api, student, student) == [("Unproven College", "student")]


async def test_badge_goes_when_the_membership_ends(api, memberships):
    admin, org, _ = await verified_institute(api)
    student = await api.sign_up(email=at("uni.example"))
    membership = await memberships.join(student, org, "student")
    assert await badge(api, student, student) != []
    await memberships.act(admin, membership, "deactivate", 200)
    assert await badge(api, student, student) == []


async def test_badge_goes_when_the_admin_on_the_domain_leaves(api, memberships):
    owner = await api.sign_up(["professional"], email=at("example.org"))
    org = await api.institute(owner)
    await register(api, owner, org, "uni.example")
    dean = await api.sign_up(["professional"], email=at("uni.example"))
    invitation = await memberships.invite(owner, org, dean, "admin")
    await memberships.act(dean, invitation, "approve", 200)
    student = await api.sign_up(email=at("uni.example"))
    assert (await memberships.join(student, org, "student"))["status"] == "active"
    assert await badge(api, student, student) == [("State University", "student")]
    await memberships.act(owner, invitation, "deactivate", 200)
    assert await badge(api, student, student) == []
    # Still a member: the domain vouched for them once; the admins decide whether they stay.
    mine = await api.get("/api/me/memberships", as_=student)
    assert [m["status"] for m in mine["items"]] == ["active"]
    # New students on the domain now wait for approval.
    late = await api.sign_up(email=at("uni.example"))
    assert (await memberships.join(late, org, "student"))["status"] == "pending"


async def hire(api, recruiter, job, candidate) -> None:
    application = await api.post(
        f"/api/jobs/{job['id']}/applications", {"cover_letter": "Hi"}, as_=candidate, expect=201
    )
    for status in ("viewed", "shortlisted", "interviewing", "offered", "hired"):
        await api.post(
            f"/api/applications/{application['id']}/status",
            {"status": status},
            as_=recruiter,
            expect=200,
        )


async def test_outcomes_count_applied_and_hired_students_for_anyone(api, memberships):
    _, org, _ = await verified_institute(api)
    students = []
    for _ in range(3):
        student = await api.sign_up(email=at("uni.example"))
        await memberships.join(student, org, "student")
        students.append(student)
    outsider = await api.sign_up(email=at("example.com"))
    await memberships.join(outsider, org, "student")  # pending: not counted
    recruiter = await api.sign_up(["employer"])
    company = await api.company(recruiter)
    first = await api.job(recruiter, company["id"])
    second = await api.job(recruiter, company["id"], title="Data Intern")
    await hire(api, recruiter, first, students[0])
    await api.post(f"/api/jobs/{second['id']}/applications", {}, as_=students[0], expect=201)
    await api.post(f"/api/jobs/{first['id']}/applications", {}, as_=students[1], expect=201)
    await api.post(f"/api/jobs/{first['id']}/applications", {}, as_=outsider, expect=201)

    outcomes = await api.get(f"/api/organizations/{org['id']}/outcomes", expect=200)
    assert outcomes == {"organization_id": org["id"], "students": 3, "applied": 2, "hired": 1}
    page = await api.client.get(f"/institutes/{org['id']}")
    html = await page.text()
    assert page.status == 200
    assert 'data-figure="applied">2<' in html
    assert 'data-figure="hired">1<' in html
    assert "institute-students" not in html


async def test_students_list_is_for_the_institutes_admins_only(api, memberships):
    admin, org, _ = await verified_institute(api)
    student = await api.sign_up(email=at("uni.example"), full_name="Sam Student")
    await memberships.join(student, org, "student")
    path = f"/api/organizations/{org['id']}/students"
    for who in (student, await api.sign_up(["employer"])):
        await api.get(path, as_=who, expect=403)
    await api.get(path, expect=401)
    listed = await api.get(path, as_=admin, expect=200)
    assert [(s["full_name"], s["role_in_org"], s["applications"]) for s in listed["items"]] == [
        ("Sam Student", "student", 0)
    ]


async def test_students_list_pages_by_keyset(api, memberships):
    admin, org, _ = await verified_institute(api)
    joined = []
    for _ in range(5):
        student = await api.sign_up(email=at("uni.example"))
        joined.append(str((await memberships.join(student, org, "student"))["user_id"]))
    seen, cursor = [], None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = await api.get(f"/api/organizations/{org['id']}/students{query}", as_=admin)
        seen += [s["user_id"] for s in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == joined


async def test_institute_page_and_figures_are_for_institutes_only(api):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    await api.get(f"/api/organizations/{company['id']}/outcomes", expect=404)
    await api.get(f"/api/organizations/{uuid.uuid4()}/outcomes", expect=404)
    assert (await api.client.get(f"/institutes/{company['id']}")).status == 404
    await api.get(f"/api/organizations/{company['id']}/students", as_=hr, expect=404)


async def test_badge_rides_on_the_applicant_dashboard_and_ranked_candidates(api, memberships):
    _, org, _ = await verified_institute(api, name="State University")
    verified = await api.sign_up(email=at("uni.example"))
    await memberships.join(verified, org, "student")
    other = await api.sign_up(email=at("example.com"))
    await memberships.join(other, org, "student")  # pending: no badge
    recruiter = await api.sign_up(["employer"])
    company = await api.company(recruiter)
    job = await api.job(recruiter, company["id"])
    for candidate in (verified, other):
        await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=candidate, expect=201)

    rows = await api.get(f"/api/jobs/{job['id']}/applications", as_=recruiter, expect=200)
    by_candidate = {row["candidate_id"]: row["verified_institutes"] for row in rows["items"]}
    assert [i["name"] for i in by_candidate[str(verified.id)]] == ["State University"]
    assert by_candidate[str(other.id)] == []
    ranked = await api.get(f"/api/jobs/{job['id']}/candidates", as_=recruiter, expect=200)
    by_candidate = {row["candidate_id"]: row["verified_institutes"] for row in ranked["items"]}
    assert [i["id"] for i in by_candidate[str(verified.id)]] == [org["id"]]
    assert by_candidate[str(other.id)] == []
    html = await page_text(api, recruiter, f"/jobs/{job['id']}/applicants")
    assert html.count("data-verified-institutes") == 1
    assert "Verified student</span> of State University" in html
