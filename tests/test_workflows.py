"""The design document's three user workflows, end to end over the REST API."""

from __future__ import annotations


async def test_workflow_1_company_posts_job_and_reviews_applications(api):
    # Step 1: the HR manager signs up as an employer and creates the company.
    hr = await api.sign_up(["employer"], full_name="Hana Recruiter")
    company = await api.company(hr, name="Acme Robotics", description="We build robots")
    memberships = await api.get("/api/me/memberships", as_=hr, expect=200)
    assert [(m["role_in_org"], m["status"]) for m in memberships["items"]] == [("admin", "active")]

    # Step 2: the verified HR manager uploads a PDF and a video straight to storage (grant,
    # PUT, complete) and posts a job with them attached.
    attachments = await api.job_attachments(hr)
    job = await api.job(hr, company["id"], title="Robotics Intern", attachments=attachments)
    assert job["attachments"] == attachments
    assert await api.download(attachments[1]["url"]) == b"mp4 tour"  # public
    assert job["poster_id"] == str(hr.id)
    assert job["status"] == "open"

    # A student uploads a resume and applies.
    student = await api.sign_up(["student"], full_name="Ana Lima")
    resume = await api.upload(student, "resume", b"%PDF-1.4 Ana Lima, CS student")
    await api.patch(
        f"/api/profiles/{student.id}",
        {"headline": "CS student", "resume_url": resume["url"]},
        as_=student,
        expect=200,
    )
    outsider = await api.sign_up(["employer"])
    assert (await api.open_file(resume["url"], hr)).status == 404  # not applied yet
    application = await api.post(
        f"/api/jobs/{job['id']}/applications", {"cover_letter": "Hi"}, as_=student, expect=201
    )
    assert application["status"] == "submitted"

    # Step 3: the HR manager lists the applicants joined with their profiles ...
    applicants = await api.get(f"/api/jobs/{job['id']}/applications", as_=hr, expect=200)
    [row] = applicants["items"]
    assert row["full_name"] == "Ana Lima"
    assert row["headline"] == "CS student"
    assert row["resume_url"] == resume["url"]
    # ... opens the resume (a short-lived download URL; nobody else can) ...
    assert await api.download(row["resume_url"], hr) == b"%PDF-1.4 Ana Lima, CS student"
    assert (await api.open_file(resume["url"], outsider)).status == 404
    # ... and opening one marks it viewed.
    opened = await api.get(f"/api/applications/{application['id']}", as_=hr, expect=200)
    assert opened["status"] == "viewed"
    mine = await api.get("/api/me/applications", as_=student, expect=200)
    assert mine["items"][0]["status"] == "viewed"


async def test_workflow_2_student_joins_institute_builds_profile_and_applies(api):
    dean = await api.sign_up(["professional"])
    institute = await api.institute(dean, name="Riverside Institute of Technology")
    # Step 1: the student finds the institute by name and asks to join.
    student = await api.sign_up(["student"])
    found = await api.get("/api/organizations?type=institute&q=riverside", as_=student, expect=200)
    assert [o["id"] for o in found["items"]] == [institute["id"]]
    membership = await api.post(
        f"/api/organizations/{institute['id']}/memberships",
        {"role_in_org": "student"},
        as_=student,
        expect=201,
    )
    assert membership["status"] == "pending"
    approved = await api.post(f"/api/memberships/{membership['id']}/approve", as_=dean, expect=200)
    assert approved["status"] == "active"

    # Step 2: the profile, with skills the student claims and an uploaded resume.
    resume = await api.upload(student, "resume")
    profile = await api.patch(
        f"/api/profiles/{student.id}",
        {
            "bio": "I like databases",
            "skills": {"claimed": ["Python", "SQL"]},
            "resume_url": resume["url"],
            "education": [{"institution": institute["name"], "organization_id": institute["id"]}],
        },
        as_=student,
        expect=200,
    )
    assert profile["skills"]["claimed"] == ["Python", "SQL"]
    assert profile["skills"]["verified"] == []

    # Step 3: the student finds an internship and applies, once.
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    job = await api.job(hr, company["id"], title="Data Intern", employment_type="internship")
    results = await api.get("/api/jobs?q=data&employment_type=internship", expect=200)
    assert job["id"] in [j["id"] for j in results["items"]]
    await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=409)


async def test_workflow_3_user_becomes_freelancer_and_publishes_a_gig(api):
    user = await api.sign_up(["student"])
    gig_body = {
        "title": "Logo design",
        "description": "A crisp vector logo for your startup",
        "skills": ["illustrator", "branding"],
        "pricing_tiers": {
            "basic": {"price": 5000, "currency": "USD", "delivery_days": 3, "description": "1"},
            "premium": {"price": 15000, "currency": "USD", "delivery_days": 7, "description": "3"},
        },
        "media_gallery": [{"url": (await api.upload(user, "gig_media"))["url"], "type": "image"}],
    }
    # Not a freelancer yet: refused.
    await api.post("/api/gigs", gig_body, as_=user, expect=403)
    # Step 1: add the freelancer role.
    me = await api.post("/api/me/roles", {"role": "freelancer"}, as_=user, expect=200)
    assert sorted(me["roles"]) == ["freelancer", "student"]
    # Step 2: create the gig with pricing tiers and a media gallery.
    gig = await api.post("/api/gigs", gig_body, as_=user, expect=201)
    assert gig["freelancer_id"] == str(user.id)
    assert gig["pricing_tiers"]["basic"]["price"] == 5000
    found = await api.get("/api/gigs?q=logo", expect=200)
    assert [g["id"] for g in found["items"]] == [gig["id"]]


async def test_company_member_and_candidate_chat_about_an_application(api):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    job = await api.job(hr, company["id"])
    student = await api.sign_up(["student"])
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    conversation = await api.post(
        "/api/conversations",
        {
            "participant_ids": [str(student.id)],
            "context": {"type": "application", "id": application["id"]},
            "message": {"content": "Thanks for applying! Free for a call?"},
        },
        as_=hr,
        expect=201,
    )
    mine = await api.get("/api/conversations", as_=student, expect=200)
    [summary] = mine["items"]
    assert summary["id"] == conversation["id"]
    assert summary["unread_count"] == 1
    reply = await api.post(
        f"/api/conversations/{conversation['id']}/messages",
        {"content": "Yes, tomorrow works", "client_msg_id": "c-1"},
        as_=student,
        expect=201,
    )
    assert reply["seq"] == 2
    outsider = await api.sign_up(["student"])
    await api.get(f"/api/conversations/{conversation['id']}/messages", as_=outsider, expect=404)
