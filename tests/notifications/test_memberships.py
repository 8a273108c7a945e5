"""membership.* notifications: whoever must act next or is affected, never the actor."""

from __future__ import annotations

from tests.notifications.conftest import is_notification, stored, uid


def _types(items: list[dict]) -> list[str]:
    return [n["type"] for n in items]


async def _join(api, org: dict, user, role: str = "student") -> dict:
    return await api.post(
        f"/api/organizations/{org['id']}/memberships", {"role_in_org": role}, as_=user, expect=201
    )


async def test_join_request_is_told_to_admins_live_with_its_payload(api, inbox_for):
    admin, student = await api.sign_up(), await api.sign_up(["student"])
    institute = await api.institute(admin, name="State University")
    on_admin = await inbox_for(admin)
    membership = await _join(api, institute, student)
    event, data = await on_admin.next()
    assert event == "membership.requested"
    is_notification(data, "membership.requested")
    assert data["payload"] == {
        "membership_id": membership["id"],
        "organization_id": institute["id"],
        "organization_name": "State University",
        "user_id": uid(student.id),
        "role_in_org": "student",
        "status": "pending",
        "invited_by": None,
        "changed_by": uid(student.id),
        "changed_at": membership["updated_at"],
    }
    assert await stored(api, admin) == [data]
    assert await stored(api, student) == []


async def test_requester_hears_approval_and_later_deactivation(api, inbox_for):
    admin, student = await api.sign_up(), await api.sign_up(["student"])
    institute = await api.institute(admin)
    membership = await _join(api, institute, student)
    on_student = await inbox_for(student)
    approved = await api.post(f"/api/memberships/{membership['id']}/approve", as_=admin, expect=200)
    event, data = await on_student.next()
    assert event == "membership.approved"
    assert data["payload"]["status"] == "active"
    assert data["payload"]["changed_by"] == uid(admin.id)
    assert data["payload"]["changed_at"] == approved["updated_at"]
    await api.post(f"/api/memberships/{membership['id']}/deactivate", as_=admin, expect=200)
    event, data = await on_student.next()
    assert event == "membership.deactivated"
    assert data["payload"]["status"] == "inactive"
    assert _types(await stored(api, student)) == ["membership.deactivated", "membership.approved"]
    assert _types(await stored(api, admin)) == ["membership.requested"]


async def test_requester_hears_a_decline(api, inbox_for):
    admin, student = await api.sign_up(), await api.sign_up(["student"])
    institute = await api.institute(admin)
    membership = await _join(api, institute, student)
    on_student = await inbox_for(student)
    await api.post(f"/api/memberships/{membership['id']}/decline", as_=admin, expect=200)
    event, data = await on_student.next()
    assert event == "membership.declined"
    assert data["payload"]["status"] == "inactive"


async def test_invitee_hears_the_invitation_and_admins_hear_the_answer(api, inbox_for):
    admin, other_admin = await api.sign_up(["employer"]), await api.sign_up(["employer"])
    company = await api.company(admin)
    invite = await api.post(
        f"/api/organizations/{company['id']}/memberships",
        {"role_in_org": "admin", "email": other_admin.email},
        as_=admin,
        expect=201,
    )
    await api.post(f"/api/memberships/{invite['id']}/approve", as_=other_admin, expect=200)
    recruiter = await api.sign_up(["professional"])
    on_recruiter = await inbox_for(recruiter)
    on_admin = await inbox_for(admin)
    invitation = await api.post(
        f"/api/organizations/{company['id']}/memberships",
        {"role_in_org": "recruiter", "email": recruiter.email},
        as_=admin,
        expect=201,
    )
    event, data = await on_recruiter.next()
    assert event == "membership.invited"
    assert data["payload"]["invited_by"] == uid(admin.id)
    assert data["payload"]["role_in_org"] == "recruiter"
    assert data["payload"]["membership_id"] == invitation["id"]
    await api.post(f"/api/memberships/{invitation['id']}/approve", as_=recruiter, expect=200)
    event, data = await on_admin.next()
    assert event == "membership.approved"  # the first event this admin gets: not their invite
    assert data["payload"]["user_id"] == uid(recruiter.id)
    # every active admin is told, including the one who did not invite
    assert _types(await stored(api, other_admin))[0] == "membership.approved"
    assert _types(await stored(api, recruiter)) == ["membership.invited"]


async def test_a_declined_invitation_is_told_to_the_admins(api):
    admin, invitee = await api.sign_up(["employer"]), await api.sign_up(["professional"])
    company = await api.company(admin)
    invitation = await api.post(
        f"/api/organizations/{company['id']}/memberships",
        {"role_in_org": "recruiter", "user_id": str(invitee.id)},
        as_=admin,
        expect=201,
    )
    await api.post(f"/api/memberships/{invitation['id']}/decline", as_=invitee, expect=200)
    assert _types(await stored(api, admin)) == ["membership.declined"]
    assert _types(await stored(api, invitee)) == ["membership.invited"]


async def test_admins_hear_a_member_leave(api, inbox_for):
    admin, student = await api.sign_up(), await api.sign_up(["student"])
    institute = await api.institute(admin)
    membership = await _join(api, institute, student)
    await api.post(f"/api/memberships/{membership['id']}/approve", as_=admin, expect=200)
    on_admin = await inbox_for(admin)
    await api.post(f"/api/memberships/{membership['id']}/leave", as_=student, expect=200)
    event, data = await on_admin.next()
    assert event == "membership.left"
    assert data["payload"]["user_id"] == uid(student.id)
    assert data["payload"]["changed_by"] == uid(student.id)


async def test_a_refused_membership_change_stores_nothing(api):
    admin, student = await api.sign_up(), await api.sign_up(["student"])
    institute = await api.institute(admin)
    membership = await _join(api, institute, student)
    await api.post(
        f"/api/organizations/{institute['id']}/memberships",
        {"role_in_org": "student"},
        as_=student,
        expect=409,
    )
    await api.post(f"/api/memberships/{membership['id']}/approve", as_=student, expect=403)
    assert _types(await stored(api, admin)) == ["membership.requested"]
    assert await stored(api, student) == []
