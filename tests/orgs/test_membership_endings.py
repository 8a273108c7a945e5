"""The end of a membership: deactivation by an admin, leaving, the last-admin rule, rejoining."""

from __future__ import annotations

import asyncio
import uuid


async def test_rejoining_after_leaving_reuses_the_membership_row(
    api, memberships, institute, db, today
):
    owner, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    await memberships.act(owner, request, "approve", 200)
    left = await memberships.act(student, request, "leave", 200)
    assert (left["status"], left["end_date"]) == ("inactive", today)

    again = await memberships.join(student, org, "student")
    assert again["id"] == request["id"]
    assert (again["status"], again["start_date"], again["end_date"]) == ("pending", None, None)
    assert again["invited_by"] is None
    approved = await memberships.act(owner, again, "approve", 200)
    assert (approved["status"], approved["end_date"]) == ("active", None)

    await memberships.act(owner, approved, "deactivate", 200)
    invited = await memberships.invite(owner, org, student, "student")
    assert invited["id"] == request["id"]
    assert invited["invited_by"] == str(owner.id)
    async with db.connection() as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM organization_memberships WHERE user_id = $1", student.id
        )
    assert count == 1


async def test_admin_deactivates_a_member_and_withdraws_an_invitation(
    api, memberships, company, today
):
    hr, org = company
    recruiter = await memberships.member_of(org, "recruiter", hr)
    member = (await api.get("/api/me/memberships", as_=recruiter, expect=200))["items"][0]
    ended = await memberships.act(hr, member, "deactivate", 200)
    assert (ended["status"], ended["end_date"]) == ("inactive", today)

    invitee = await api.sign_up()
    invitation = await memberships.invite(hr, org, invitee, "employee")
    withdrawn = await memberships.act(hr, invitation, "deactivate", 200)
    assert (withdrawn["status"], withdrawn["end_date"]) == ("inactive", None)
    await memberships.act(invitee, invitation, "approve", 409)


async def test_only_active_admins_deactivate(api, memberships, company, org_state):
    hr, org = company
    recruiter = await memberships.member_of(org, "recruiter", hr)
    employee = await memberships.member_of(org, "employee", hr)
    target = (await api.get("/api/me/memberships", as_=employee, expect=200))["items"][0]
    stranger = await api.sign_up()
    before = await org_state()
    for who in (recruiter, employee, stranger):
        await memberships.act(who, target, "deactivate", 403)
    assert await org_state() == before


async def test_only_the_member_leaves(api, memberships, institute, org_state):
    owner, org = institute
    student = await memberships.member_of(org, "student", owner)
    target = (await api.get("/api/me/memberships", as_=student, expect=200))["items"][0]
    classmate = await memberships.member_of(org, "student", owner)
    before = await org_state()
    for who in (owner, classmate):
        await memberships.act(who, target, "leave", 403)
    assert await org_state() == before


async def test_requester_withdraws_a_pending_join_request_by_leaving(api, memberships, institute):
    _, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    withdrawn = await memberships.act(student, request, "leave", 200)
    assert (withdrawn["status"], withdrawn["end_date"]) == ("inactive", None)


async def test_the_last_active_admin_cannot_leave_or_be_deactivated(
    api, memberships, company, org_state
):
    hr, org = company
    own = (await api.get("/api/me/memberships", as_=hr, expect=200))["items"][0]
    before = await org_state()
    await memberships.act(hr, own, "leave", 409)
    await memberships.act(hr, own, "deactivate", 409)
    assert await org_state() == before

    second = await memberships.member_of(org, "admin", hr)
    left = await memberships.act(hr, own, "leave", 200)
    assert left["status"] == "inactive"
    theirs = (await api.get("/api/me/memberships", as_=second, expect=200))["items"][0]
    await memberships.act(second, theirs, "leave", 409)
    # The one who left is no admin any more.
    await memberships.act(hr, theirs, "deactivate", 403)


async def test_two_admins_removing_each_other_at_once_leave_one_admin(
    api, memberships, company, db
):
    hr, org = company
    second = await memberships.member_of(org, "admin", hr)
    first_membership = (await api.get("/api/me/memberships", as_=hr, expect=200))["items"][0]
    second_membership = (await api.get("/api/me/memberships", as_=second, expect=200))["items"][0]
    statuses = await asyncio.gather(
        api.client.post(
            f"/api/memberships/{second_membership['id']}/deactivate", headers=hr.headers
        ),
        api.client.post(
            f"/api/memberships/{first_membership['id']}/deactivate", headers=second.headers
        ),
    )
    assert sorted(r.status for r in statuses) in ([200, 403], [200, 409])
    async with db.connection() as conn:
        admins = await conn.fetchval(
            "SELECT count(*) FROM organization_memberships"
            " WHERE organization_id = $1 AND role_in_org = 'admin' AND status = 'active'",
            uuid.UUID(org["id"]),
        )
    assert admins == 1


async def test_ending_an_inactive_membership_is_409(api, memberships, institute, org_state):
    owner, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    await memberships.act(student, request, "leave", 200)
    before = await org_state()
    await memberships.act(student, request, "leave", 409)
    await memberships.act(owner, request, "deactivate", 409)
    assert await org_state() == before


async def test_invitation_from_an_admin_who_was_removed_cannot_be_accepted(
    api, company, memberships, org_state
):
    owner, org = company
    second_admin = await memberships.member_of(org, "admin", owner, roles=("employer",))
    invitee = await api.sign_up(["employer"])
    invitation = await memberships.invite(second_admin, org, invitee, "admin")
    mine = await api.get("/api/me/memberships", as_=second_admin, expect=200)
    [admin_membership] = [m for m in mine["items"] if m["organization"]["id"] == org["id"]]
    await memberships.act(owner, admin_membership, "deactivate", 200)
    before = await org_state()
    await memberships.act(invitee, invitation, "approve", 409)
    assert await org_state() == before
    # declining it is still possible
    await memberships.act(invitee, invitation, "decline", 200)
