"""Organizations: creation and reading."""

from __future__ import annotations


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
