"""Who sees an organization's member list, and keyset pagination of member lists."""

from __future__ import annotations

import pytest


@pytest.fixture
async def populated(api, memberships):
    """An institute with an admin, two active students, one pending and one past member."""
    owner = await api.sign_up(["professional"], full_name="Olga Owner")
    org = await api.institute(owner)
    active = [
        await memberships.member_of(org, "student", owner),
        await memberships.member_of(org, "faculty", owner),
    ]
    pending = await api.sign_up()
    await memberships.join(pending, org, "student")
    past = await memberships.member_of(org, "alumni", owner)
    mine = (await api.get("/api/me/memberships", as_=past, expect=200))["items"][0]
    await memberships.act(past, mine, "leave", 200)
    return {"owner": owner, "org": org, "active": active, "pending": pending, "past": past}


async def test_org_admin_sees_every_membership_with_emails(api, populated):
    owner, org = populated["owner"], populated["org"]
    page = await api.get(f"/api/organizations/{org['id']}/memberships", as_=owner, expect=200)
    seen = {(m["email"], m["status"]) for m in page["items"]}
    assert seen == {
        (owner.email, "active"),
        (populated["active"][0].email, "active"),
        (populated["active"][1].email, "active"),
        (populated["pending"].email, "pending"),
        (populated["past"].email, "inactive"),
    }
    by_user = {m["user_id"]: m for m in page["items"]}
    assert by_user[str(owner.id)]["full_name"] == "Olga Owner"
    pending = await api.get(
        f"/api/organizations/{org['id']}/memberships?status=pending", as_=owner, expect=200
    )
    assert [m["user_id"] for m in pending["items"]] == [str(populated["pending"].id)]


async def test_active_member_sees_active_members_without_emails(api, populated):
    org, student = populated["org"], populated["active"][0]
    path = f"/api/organizations/{org['id']}/memberships"
    page = await api.get(path, as_=student, expect=200)
    assert {m["status"] for m in page["items"]} == {"active"}
    assert len(page["items"]) == 3
    assert all(m["email"] is None for m in page["items"])
    assert (await api.get(path + "?status=active", as_=student, expect=200)) == page
    await api.get(path + "?status=pending", as_=student, expect=403)
    await api.get(path + "?status=inactive", as_=student, expect=403)


async def test_non_members_pending_and_past_members_cannot_list_members(api, populated):
    path = f"/api/organizations/{populated['org']['id']}/memberships"
    stranger = await api.sign_up()
    for who in (stranger, populated["pending"], populated["past"]):
        await api.get(path, as_=who, expect=403)
    await api.get(path, expect=401)


async def test_member_list_cursor_walks_every_row_once(api, memberships, populated):
    owner, org = populated["owner"], populated["org"]
    for _ in range(4):
        await memberships.member_of(org, "student", owner)
    path = f"/api/organizations/{org['id']}/memberships?limit=2"
    full = await api.get(f"/api/organizations/{org['id']}/memberships", as_=owner, expect=200)
    seen, url, pages = [], path, 0
    while url:
        page = await api.get(url, as_=owner, expect=200)
        assert len(page["items"]) <= 2
        seen += [m["id"] for m in page["items"]]
        pages += 1
        url = f"{path}&cursor={page['next']}" if page["next"] else None
    assert len(seen) == len(set(seen)) == 9
    assert seen == [m["id"] for m in full["items"]]
    assert pages == 5


async def test_member_list_refuses_bad_cursor_and_limit(api, populated):
    owner, org = populated["owner"], populated["org"]
    path = f"/api/organizations/{org['id']}/memberships"
    await api.get(path + "?cursor=garbage!", as_=owner, expect=400)
    await api.get(path + "?cursor=WyJ4Il0", as_=owner, expect=400)  # ["x"]
    await api.get(path + "?limit=101", as_=owner, expect=422)
    await api.get(path + "?limit=0", as_=owner, expect=422)
    await api.get(path + "?limit=ten", as_=owner, expect=422)
    await api.get(path + "?status=retired", as_=owner, expect=422)
    await api.get(path + "?colour=blue", as_=owner, expect=422)


async def test_my_memberships_walk_with_a_cursor(api, memberships):
    user = await api.sign_up(["employer"])
    orgs = [await api.institute(user, name=f"Institute {i}") for i in range(3)]
    for org in orgs:
        await memberships.join(user, org, "faculty")
    seen, url = [], "/api/me/memberships?limit=4"
    while url:
        page = await api.get(url, as_=user, expect=200)
        seen += [(m["organization"]["name"], m["role_in_org"]) for m in page["items"]]
        url = f"/api/me/memberships?limit=4&cursor={page['next']}" if page["next"] else None
    assert sorted(seen) == sorted(
        [(f"Institute {i}", role) for i in range(3) for role in ("admin", "faculty")]
    )
    pending = await api.get("/api/me/memberships?status=pending", as_=user, expect=200)
    assert len(pending["items"]) == 3
    await api.get("/api/me/memberships?limit=101", as_=user, expect=422)
    await api.get("/api/me/memberships?cursor=%%%", as_=user, expect=400)
    await api.get("/api/me/memberships", expect=401)
