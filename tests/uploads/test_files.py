"""GET /api/files/{id}: who may open which file. Allowed callers get a 302 to a short-lived
URL; everyone else the same 404 as for a file that does not exist."""

from __future__ import annotations

import pytest

from tests.client import User

PUBLIC = ["job_attachment", "gig_media", "portfolio", "org_logo"]


async def add_member(api, org: dict, admin: User, user: User, role: str, status="active"):
    invitation = await api.post(
        f"/api/organizations/{org['id']}/memberships",
        {"role_in_org": role, "user_id": str(user.id)},
        as_=admin,
        expect=201,
    )
    if status == "pending":
        return
    await api.post(f"/api/memberships/{invitation['id']}/approve", as_=user, expect=200)
    if status == "inactive":
        await api.post(f"/api/memberships/{invitation['id']}/deactivate", as_=admin, expect=200)


async def assert_opens(api, url: str, user: User | None, data: bytes | None = None) -> None:
    response = await api.open_file(url, user)
    assert response.status == 302, f"{user and user.email} should open {url}"
    assert response.headers["Cache-Control"] == "private, no-store"
    if data is not None:
        assert await api.download(url, user) == data


async def assert_hidden(api, url: str, user: User | None) -> None:
    response = await api.open_file(url, user)
    assert response.status == 404, f"{user and user.email} should not open {url}"
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("purpose", PUBLIC)
async def test_public_files_open_for_anyone(api, purpose):
    owner = await api.sign_up(["employer", "freelancer"])
    upload = await api.upload(owner, purpose, b"public bytes")
    stranger = await api.sign_up()
    for user in (owner, stranger, None):
        await assert_opens(api, upload["url"], user, b"public bytes")


async def test_a_pending_or_unknown_file_is_404_even_to_its_owner(api):
    owner = await api.sign_up()
    grant = await api.grant_upload(owner, "job_attachment", 5)
    await api.put_upload(grant, b"12345")
    url = api.local_path(f"http://rizeos.test/api/files/{grant['upload']['id']}")
    assert (await api.client.get(url, headers=owner.headers, allow_redirects=False)).status == 404
    missing = "/api/files/00000000-0000-0000-0000-000000000000"
    assert (await api.client.get(missing, allow_redirects=False)).status == 404
    assert (await api.client.get("/api/files/not-a-uuid", allow_redirects=False)).status == 404


async def test_a_resume_opens_for_its_owner_and_the_hiring_team_of_companies_applied_to(api):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    recruiter, employee, pending = [await api.sign_up() for _ in range(3)]
    await add_member(api, company, hr, recruiter, "recruiter")
    await add_member(api, company, hr, employee, "employee")
    await add_member(api, company, hr, pending, "recruiter", status="pending")
    other_hr = await api.sign_up(["employer"])
    await api.company(other_hr, name="Other Corp")
    job = await api.job(hr, company["id"])

    ana = await api.sign_up(["student"])
    resume = await api.upload(ana, "resume", b"%PDF ana")
    stranger = await api.sign_up()

    await assert_opens(api, resume["url"], ana, b"%PDF ana")
    for user in (hr, recruiter, employee, pending, other_hr, stranger, None):
        await assert_hidden(api, resume["url"], user)

    application = await api.post(
        f"/api/jobs/{job['id']}/applications", {"resume_url": resume["url"]}, as_=ana, expect=201
    )
    await assert_opens(api, resume["url"], hr, b"%PDF ana")
    await assert_opens(api, resume["url"], recruiter)
    for user in (employee, pending, other_hr, stranger, None):
        await assert_hidden(api, resume["url"], user)

    await api.post(
        f"/api/applications/{application['id']}/status",
        {"status": "withdrawn"},
        as_=ana,
        expect=200,
    )
    for user in (hr, recruiter):
        await assert_hidden(api, resume["url"], user)
    await assert_opens(api, resume["url"], ana)


async def test_a_chat_attachment_opens_for_the_conversation_participants_only(api):
    freelancer = await api.sign_up(["freelancer"])
    gig = await api.post(
        "/api/gigs",
        {
            "title": "Logo design",
            "description": "I draw logos.",
            "pricing_tiers": {
                "basic": {
                    "price": 5000,
                    "currency": "USD",
                    "delivery_days": 3,
                    "description": "One logo",
                }
            },
        },
        as_=freelancer,
        expect=201,
    )
    client_user, stranger = await api.sign_up(), await api.sign_up()
    attachment = await api.upload(client_user, "message_attachment", b"%PDF brief")
    # Not sent anywhere yet: only its owner opens it.
    await assert_opens(api, attachment["url"], client_user, b"%PDF brief")
    await assert_hidden(api, attachment["url"], freelancer)

    conversation = await api.post(
        "/api/conversations",
        {"participant_ids": [str(freelancer.id)], "context": {"type": "gig", "id": gig["id"]}},
        as_=client_user,
        expect=201,
    )
    await api.post(
        f"/api/conversations/{conversation['id']}/messages",
        {"content": "the brief", "attachment_url": attachment["url"]},
        as_=client_user,
        expect=201,
    )
    await assert_opens(api, attachment["url"], freelancer, b"%PDF brief")
    await assert_opens(api, attachment["url"], client_user)
    for user in (stranger, None):
        await assert_hidden(api, attachment["url"], user)
