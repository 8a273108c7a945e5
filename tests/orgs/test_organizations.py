"""Organizations: create, read, edit, and platform-admin verification."""

from __future__ import annotations

import uuid

import pytest

from server import keys


async def test_employer_creates_company_and_becomes_its_active_admin(api, db):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr, name="Acme", website_url="https://acme.example")
    assert company["type"] == "company"
    assert company["is_verified"] is False
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT role_in_org, status FROM organization_memberships"
            " WHERE user_id = $1 AND organization_id = $2",
            hr.id,
            company["id"],
        )
    assert (row["role_in_org"], row["status"]) == ("admin", "active")
    fetched = await api.get(f"/api/organizations/{company['id']}", expect=200)
    assert fetched == company


async def test_company_creation_needs_employer_role_and_verified_email(api, db):
    student = await api.sign_up(["student"])
    body = {"name": "Nope Inc", "type": "company"}
    await api.post("/api/organizations", body, as_=student, expect=403)
    unverified = await api.sign_up(["employer"], verified=False)
    await api.post("/api/organizations", body, as_=unverified, expect=403)
    await api.post("/api/organizations", body, expect=401)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM organizations") == 0


async def test_organization_path_with_bad_uuid_is_404(api):
    problem = await api.get("/api/organizations/not-a-uuid", expect=404)
    assert problem["type"].endswith("not-found")


async def test_org_admin_edits_only_the_fields_sent(api, db):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr, name="Acme", location="Pune", description="Widgets")
    path = f"/api/organizations/{company['id']}"
    logo = await api.upload(hr, "org_logo")
    edited = await api.patch(
        path,
        {"name": "  Acme Labs ", "location": None, "logo_url": logo["url"]},
        as_=hr,
        expect=200,
    )
    assert edited["name"] == "Acme Labs"
    assert edited["location"] is None
    assert edited["logo_url"] == logo["url"]
    assert edited["description"] == "Widgets"
    assert (edited["type"], edited["is_verified"]) == ("company", False)
    assert edited["updated_at"] > company["updated_at"]
    assert await api.get(path, expect=200) == edited
    assert await api.patch(path, {}, as_=hr, expect=200) == edited


@pytest.mark.parametrize(
    "body",
    [
        {"type": "institute"},
        {"is_verified": True},
        {"name": "Ok", "owner": "me"},
        {"name": ""},
        {"name": "   "},
        {"name": None},
        {"name": "x" * 256},
        {"logo_url": "ftp://x.io/l.png"},
        {"website_url": "not a url"},
        {"description": 5},
    ],
)
async def test_organization_edit_refuses_bad_and_non_editable_fields(api, org_state, body):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    before = await org_state()
    problem = await api.patch(f"/api/organizations/{company['id']}", body, as_=hr, expect=422)
    assert problem["errors"]
    assert await org_state() == before


async def test_only_active_org_admins_edit_the_organization(api, memberships, org_state):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    recruiter = await memberships.member_of(company, "recruiter", hr)
    former = await memberships.member_of(company, "admin", hr)
    own = (await api.get("/api/me/memberships", as_=former, expect=200))["items"][0]
    await memberships.act(former, own, "leave", 200)
    stranger = await api.sign_up(["employer"])
    other_admin = await api.sign_up(["employer"])
    await api.company(other_admin, name="Other Co")
    platform_admin = await api.admin(api.client.app[keys.DB])
    path = f"/api/organizations/{company['id']}"
    before = await org_state()
    for who in (recruiter, former, stranger, other_admin, platform_admin):
        await api.patch(path, {"name": "Hijacked"}, as_=who, expect=403)
    await api.patch(path, {"name": "Hijacked"}, expect=401)
    assert await org_state() == before


async def test_editing_an_unknown_organization_is_404(api):
    hr = await api.sign_up(["employer"])
    await api.patch(f"/api/organizations/{uuid.uuid4()}", {"name": "X"}, as_=hr, expect=404)


async def test_platform_admin_verifies_and_unverifies_an_organization(api, db):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    admin = await api.admin(db)
    path = f"/api/admin/organizations/{company['id']}/verification"
    verified = await api.post(path, {"is_verified": True}, as_=admin, expect=200)
    assert verified["is_verified"] is True
    assert (await api.get(f"/api/organizations/{company['id']}", expect=200))["is_verified"]
    unverified = await api.post(path, {"is_verified": False}, as_=admin, expect=200)
    assert unverified["is_verified"] is False


async def test_only_platform_admins_verify_organizations(api, db, org_state):
    hr = await api.sign_up(["employer"])
    company = await api.company(hr)
    admin = await api.admin(db)
    path = f"/api/admin/organizations/{company['id']}/verification"
    before = await org_state()
    await api.post(path, {"is_verified": True}, as_=hr, expect=403)
    await api.post(path, {"is_verified": True}, expect=401)
    await api.post(path, {"is_verified": "yes"}, as_=admin, expect=422)
    await api.post(path, {}, as_=admin, expect=422)
    await api.post(
        f"/api/admin/organizations/{uuid.uuid4()}/verification",
        {"is_verified": True},
        as_=admin,
        expect=404,
    )
    assert await org_state() == before
