"""Memberships: join requests, invitations, who may approve or decline them, duplicates."""

from __future__ import annotations

import uuid

import pytest


async def test_institute_admin_approves_student_join_request(api, memberships, institute, today):
    owner, org = institute
    student = await api.sign_up(["student"])
    request = await memberships.join(student, org, "student")
    assert request["status"] == "pending"
    assert request["invited_by"] is None
    assert request["start_date"] is None
    assert request["user_id"] == str(student.id)

    approved = await memberships.act(owner, request, "approve", 200)
    assert approved["id"] == request["id"]
    assert approved["status"] == "active"
    assert approved["start_date"] == today

    mine = await api.get("/api/me/memberships", as_=student, expect=200)
    assert [(m["id"], m["status"]) for m in mine["items"]] == [(request["id"], "active")]
    assert mine["items"][0]["organization"] == {
        "id": org["id"],
        "name": "State University",
        "type": "institute",
        "is_verified": False,
        "logo_url": None,
        "domain_verified": False,
    }
    assert mine["next"] is None


async def test_join_request_is_approved_by_an_admin_not_by_the_requester_or_members(
    api, memberships, institute, org_state
):
    owner, org = institute
    classmate = await memberships.member_of(org, "student", owner)
    student = await api.sign_up(["student"])
    request = await memberships.join(student, org, "student")
    stranger = await api.sign_up(["student"])
    before = await org_state()
    for who in (student, classmate, stranger):
        await memberships.act(who, request, "approve", 403)
        await memberships.act(who, request, "decline", 403)
    assert await org_state() == before


@pytest.mark.parametrize(
    ("org_type", "role", "status"),
    [
        ("company", "employee", 201),
        ("company", "recruiter", 403),
        ("company", "admin", 403),
        ("institute", "student", 201),
        ("institute", "alumni", 201),
        ("institute", "faculty", 201),
        ("institute", "admin", 403),
    ],
)
async def test_self_join_roles_depend_on_organization_type(
    api, memberships, org_state, org_type, role, status
):
    owner = await api.sign_up(["employer"])
    org = await (api.company if org_type == "company" else api.institute)(owner)
    user = await api.sign_up(["professional"])
    before = await org_state()
    result = await memberships.join(user, org, role, expect=status)
    if status == 201:
        assert (result["role_in_org"], result["status"]) == (role, "pending")
    else:
        assert await org_state() == before


@pytest.mark.parametrize(
    ("org_type", "role"),
    [("company", "student"), ("company", "faculty"), ("institute", "recruiter"), ("x", "wizard")],
)
async def test_role_not_offered_by_the_organization_type_is_422(
    api, memberships, org_state, org_type, role
):
    owner = await api.sign_up(["employer"])
    org = await (api.company if org_type == "company" else api.institute)(owner)
    user = await api.sign_up(["student"])
    before = await org_state()
    for caller, body in (
        (user, {"role_in_org": role}),
        (owner, {"role_in_org": role, "email": user.email}),
    ):
        path = f"/api/organizations/{org['id']}/memberships"
        problem = await api.post(path, body, as_=caller, expect=422)
        assert problem["errors"][0]["field"] == "body.role_in_org"
    assert await org_state() == before


async def test_company_admin_invites_recruiter_who_accepts(api, memberships, company, today):
    hr, org = company
    recruiter = await api.sign_up(["professional"])
    invitation = await memberships.invite(hr, org, recruiter, "recruiter")
    assert invitation["status"] == "pending"
    assert invitation["invited_by"] == str(hr.id)
    assert invitation["user_id"] == str(recruiter.id)

    mine = await api.get("/api/me/memberships?status=pending", as_=recruiter, expect=200)
    assert [m["id"] for m in mine["items"]] == [invitation["id"]]

    accepted = await memberships.act(recruiter, invitation, "approve", 200)
    assert (accepted["status"], accepted["start_date"]) == ("active", today)
    members = await api.get(f"/api/organizations/{org['id']}/memberships", as_=hr, expect=200)
    assert {(m["email"], m["role_in_org"], m["status"]) for m in members["items"]} == {
        (hr.email, "admin", "active"),
        (recruiter.email, "recruiter", "active"),
    }


async def test_invitation_by_user_id_and_any_email_case(api, memberships, company):
    hr, org = company
    first, second = await api.sign_up(), await api.sign_up()
    path = f"/api/organizations/{org['id']}/memberships"
    by_id = await api.post(
        path, {"role_in_org": "employee", "user_id": str(first.id)}, as_=hr, expect=201
    )
    by_email = await api.post(
        path, {"role_in_org": "employee", "email": second.email.upper()}, as_=hr, expect=201
    )
    assert by_id["user_id"] == str(first.id)
    assert by_email["user_id"] == str(second.id)


async def test_only_the_invitee_accepts_or_declines_an_invitation(
    api, memberships, company, org_state
):
    hr, org = company
    invitee = await api.sign_up()
    invitation = await memberships.invite(hr, org, invitee, "recruiter")
    stranger = await api.sign_up()
    before = await org_state()
    for who in (hr, stranger):
        await memberships.act(who, invitation, "approve", 403)
        await memberships.act(who, invitation, "decline", 403)
    assert await org_state() == before
    declined = await memberships.act(invitee, invitation, "decline", 200)
    assert (declined["status"], declined["end_date"]) == ("inactive", None)


async def test_admin_declines_a_join_request(api, memberships, institute):
    owner, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    declined = await memberships.act(owner, request, "decline", 200)
    assert declined["status"] == "inactive"


async def test_only_active_admins_invite(api, memberships, company, org_state):
    hr, org = company
    recruiter = await memberships.member_of(org, "recruiter", hr)
    pending_admin = await api.sign_up()
    await memberships.invite(hr, org, pending_admin, "admin")
    stranger, target = await api.sign_up(), await api.sign_up()
    before = await org_state()
    for who in (recruiter, pending_admin, stranger):
        await memberships.invite(who, org, target, "employee", expect=403)
    assert await org_state() == before


async def test_invitation_needs_one_known_invitee_other_than_the_admin(
    api, memberships, company, org_state
):
    hr, org = company
    other = await api.sign_up()
    path = f"/api/organizations/{org['id']}/memberships"
    before = await org_state()
    await api.post(
        path, {"role_in_org": "recruiter", "email": "nobody@example.com"}, as_=hr, expect=404
    )
    await api.post(
        path, {"role_in_org": "recruiter", "user_id": str(uuid.uuid4())}, as_=hr, expect=404
    )
    both = {"role_in_org": "recruiter", "email": other.email, "user_id": str(other.id)}
    await api.post(path, both, as_=hr, expect=422)
    await api.post(path, {"role_in_org": "recruiter", "email": hr.email}, as_=hr, expect=422)
    await api.post(path, {"role_in_org": "recruiter", "email": "not-an-email"}, as_=hr, expect=422)
    await api.post(path, {"role_in_org": "recruiter", "extra": 1}, as_=hr, expect=422)
    assert await org_state() == before


async def test_an_unknown_email_cannot_be_probed_by_a_non_admin(api, memberships, company):
    _, org = company
    stranger = await api.sign_up()
    body = {"role_in_org": "employee", "email": "nobody@example.com"}
    path = f"/api/organizations/{org['id']}/memberships"
    await api.post(path, body, as_=stranger, expect=403)


async def test_approving_a_membership_that_is_not_pending_is_409(
    api, memberships, institute, org_state
):
    owner, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    await memberships.act(owner, request, "approve", 200)
    before = await org_state()
    await memberships.act(owner, request, "approve", 409)
    await memberships.act(owner, request, "decline", 409)
    assert await org_state() == before

    other = await api.sign_up()
    declined = await memberships.join(other, org, "alumni")
    await memberships.act(owner, declined, "decline", 200)
    before = await org_state()
    await memberships.act(owner, declined, "approve", 409)
    assert await org_state() == before


async def test_duplicate_membership_while_pending_or_active_is_409(
    api, memberships, institute, org_state
):
    owner, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    before = await org_state()
    problem = await memberships.join(student, org, "student", expect=409)
    assert request["id"] in problem["detail"]
    await memberships.invite(owner, org, student, "student", expect=409)
    assert await org_state() == before

    await memberships.act(owner, request, "approve", 200)
    before = await org_state()
    await memberships.join(student, org, "student", expect=409)
    await memberships.invite(owner, org, student, "student", expect=409)
    assert await org_state() == before
    # Another role in the same organization is a separate membership.
    await memberships.join(student, org, "alumni", expect=201)


async def test_join_request_while_invited_is_409_and_points_at_the_invitation(
    api, memberships, company, org_state
):
    hr, org = company
    user = await api.sign_up()
    invitation = await memberships.invite(hr, org, user, "employee")
    before = await org_state()
    problem = await memberships.join(user, org, "employee", expect=409)
    assert "accept it" in problem["detail"] and invitation["id"] in problem["detail"]
    assert await org_state() == before


async def test_membership_changes_need_a_verified_caller(api, memberships, institute, org_state):
    owner, org = institute
    student = await api.sign_up()
    request = await memberships.join(student, org, "student")
    unverified = await api.sign_up(verified=False)
    invitation = await memberships.invite(owner, org, unverified, "faculty")
    before = await org_state()
    await memberships.join(unverified, org, "student", expect=403)
    await memberships.act(unverified, invitation, "approve", 403)
    await memberships.act(unverified, invitation, "decline", 403)
    await memberships.act(unverified, invitation, "leave", 403)
    for action in ("approve", "decline", "deactivate", "leave"):
        await memberships.act(None, request, action, 401)
    await api.post(
        f"/api/organizations/{org['id']}/memberships", {"role_in_org": "student"}, expect=401
    )
    assert await org_state() == before


async def test_unknown_membership_or_organization_is_404(api, memberships, org_state):
    user = await api.sign_up()
    before = await org_state()
    for action in ("approve", "decline", "deactivate", "leave"):
        await memberships.act(user, {"id": uuid.uuid4()}, action, 404)
        await memberships.act(user, {"id": "not-a-uuid"}, action, 404)
    await memberships.join(user, {"id": uuid.uuid4()}, "student", expect=404)
    await api.get(f"/api/organizations/{uuid.uuid4()}/memberships", as_=user, expect=404)
    assert await org_state() == before


async def test_malformed_membership_bodies_are_refused(api, institute, org_state):
    _, org = institute
    user = await api.sign_up()
    path = f"/api/organizations/{org['id']}/memberships"
    before = await org_state()
    await api.post(path, {}, as_=user, expect=422)
    await api.post(path, {"role_in_org": 5}, as_=user, expect=422)
    await api.post(path, {"role_in_org": "student", "user_id": "nope"}, as_=user, expect=422)
    response = await api.client.post(
        path, data=b"{not json", headers={**user.headers, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert await org_state() == before
