"""An organization's logo is a completed org_logo upload of the admin who sets it; another
admin may send the current logo back unchanged."""

from __future__ import annotations

from tests.client import User


async def make_admin(api, org: dict, admin: User, user: User) -> None:
    invitation = await api.post(
        f"/api/organizations/{org['id']}/memberships",
        {"role_in_org": "admin", "user_id": str(user.id)},
        as_=admin,
        expect=201,
    )
    await api.post(f"/api/memberships/{invitation['id']}/approve", as_=user, expect=200)


async def count_orgs(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM organizations")


async def test_a_new_organizations_logo_must_be_the_creators_upload(api, db):
    hr, other = await api.sign_up(["employer"]), await api.sign_up()
    others_logo = await api.upload(other, "org_logo")
    gig_image = await api.upload(hr, "gig_media")
    for url, message in [
        ("https://x.io/l.png", "not a file reference"),
        (others_logo["url"], "no upload of yours"),
        (gig_image["url"], "uploaded as gig_media"),
    ]:
        problem = await api.post(
            "/api/organizations",
            {"name": "Acme", "type": "company", "logo_url": url},
            as_=hr,
            expect=422,
        )
        assert problem["errors"][0]["field"] == "body.logo_url"
        assert message in problem["errors"][0]["message"]
    assert await count_orgs(db) == 0
    logo = await api.upload(hr, "org_logo")
    company = await api.company(hr, logo_url=logo["url"])
    assert company["logo_url"] == logo["url"]
    assert await api.download(logo["url"]) is not None  # public


async def test_another_admin_keeps_the_logo_but_only_sets_their_own(api):
    hr, second = await api.sign_up(["employer"]), await api.sign_up()
    logo = await api.upload(hr, "org_logo")
    company = await api.company(hr, logo_url=logo["url"])
    await make_admin(api, company, hr, second)
    path = f"/api/organizations/{company['id']}"
    kept = await api.patch(path, {"logo_url": logo["url"], "name": "Acme 2"}, as_=second,
                           expect=200)  # fmt: skip
    assert kept["logo_url"] == logo["url"]
    stranger_logo = await api.upload(await api.sign_up(), "org_logo")
    await api.patch(path, {"logo_url": stranger_logo["url"]}, as_=second, expect=422)
    own = await api.upload(second, "org_logo", filename="new.webp", content_type="image/webp")
    changed = await api.patch(path, {"logo_url": own["url"]}, as_=second, expect=200)
    assert changed["logo_url"] == own["url"]
    cleared = await api.patch(path, {"logo_url": None}, as_=second, expect=200)
    assert cleared["logo_url"] is None
