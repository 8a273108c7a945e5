"""Institute email domains: who may register them, which are refused, when one counts, and
the instant membership it gives students."""

from __future__ import annotations

import asyncio
import uuid

import pytest


def at(domain: str) -> str:
    return f"u{uuid.uuid4().hex[:8]}@{domain}"


async def register(api, who, org, domain, expect=201):
    path = f"/api/organizations/{org['id']}/domains"
    return await api.post(path, {"domain": domain}, as_=who, expect=expect)


async def verified_institute(api, domain="uni.example", name="State University"):
    """(an admin whose verified email is on `domain`, the institute, its counting domain)"""
    admin = await api.sign_up(["professional"], email=at(domain))
    org = await api.institute(admin, name=name)
    registered = await register(api, admin, org, domain)
    assert registered["verified"] is True
    return admin, org, registered


async def test_admin_with_email_on_domain_registers_a_counting_domain(api, db):
    admin, org, registered = await verified_institute(api)
    assert registered["domain"] == "uni.example"
    assert registered["verified_by"] == str(admin.id)
    listed = await api.get(f"/api/organizations/{org['id']}/domains", as_=admin, expect=200)
    assert [(d["domain"], d["verified"]) for d in listed["items"]] == [("uni.example", True)]
    assert (await api.get(f"/api/organizations/{org['id']}"))["domain_verified"] is True


async def test_domain_is_stored_normalized(api):
    admin = await api.sign_up(["professional"], email=at("uni.example"))
    org = await api.institute(admin)
    registered = await register(api, admin, org, "  @Uni.Example. ")
    assert registered["domain"] == "uni.example"


async def test_only_an_institutes_active_admins_manage_its_domains(api, memberships, domain_rows):
    admin, org, registered = await verified_institute(api)
    student = await api.sign_up(email=at("uni.example"))
    await memberships.join(student, org, "student")
    other_admin = await api.sign_up(["professional"], email=at("other.example"))
    await api.institute(other_admin, name="Other College")
    stranger = await api.sign_up(["professional"])
    before = await domain_rows()
    path = f"/api/organizations/{org['id']}/domains"
    for who in (student, other_admin, stranger):
        await api.post(path, {"domain": "cs.uni.example"}, as_=who, expect=403)
        await api.get(path, as_=who, expect=403)
        await api.delete(f"{path}/{registered['id']}", as_=who, expect=403)
    await api.post(path, {"domain": "cs.uni.example"}, expect=401)
    missing = f"/api/organizations/{uuid.uuid4()}/domains"
    await api.post(missing, {"domain": "cs.uni.example"}, as_=admin, expect=404)
    assert await domain_rows() == before


async def test_a_company_registers_no_domains(api, domain_rows):
    hr = await api.sign_up(["employer"], email=at("acme.example"))
    org = await api.company(hr)
    before = await domain_rows()
    problem = await register(api, hr, org, "acme.example", expect=409)
    assert "only institutes" in problem["detail"]
    assert await domain_rows() == before


@pytest.mark.parametrize(
    ("domain", "says"),
    [
        ("gmail.com", "free or public email provider"),
        ("outlook.com", "free or public email provider"),
        ("yahoo.com", "free or public email provider"),
        ("mail.yahoo.co.uk", "free or public email provider"),
        ("ac.uk", "public suffix"),
        ("github.io", "public suffix"),
        ("com", "not a domain name"),
        ("localhost", "not a domain name"),
        ("uni..example", "not a domain name"),
        ("-uni.example", "not a domain name"),
        ("uni_x.example", "not a domain name"),
        ("10.0.0.1", "IP address"),
        ("student@uni.example", "part after the @"),
        ("https://uni.example/", "part after the @"),
        ("üni.example", "xn--"),
    ],
)
async def test_refused_domains_name_the_field_and_change_nothing(api, domain_rows, domain, says):
    admin = await api.sign_up(["professional"], email=at("uni.example"))
    org = await api.institute(admin)
    before = await domain_rows()
    problem = await register(api, admin, org, domain, expect=422)
    assert problem["errors"][0]["field"] == "body.domain"
    assert says in problem["errors"][0]["message"]
    assert await domain_rows() == before


async def test_too_long_or_unknown_fields_are_refused(api, domain_rows):
    admin = await api.sign_up(["professional"])
    org = await api.institute(admin)
    before = await domain_rows()
    path = f"/api/organizations/{org['id']}/domains"
    await api.post(path, {"domain": "a" * 254}, as_=admin, expect=422)
    await api.post(path, {"domain": "uni.example", "verified": True}, as_=admin, expect=422)
    await api.post(path, {}, as_=admin, expect=422)
    assert await domain_rows() == before


async def test_a_domain_belongs_to_one_institute(api, domain_rows):
    admin, org, _ = await verified_institute(api)
    rival = await api.sign_up(["professional"], email=at("uni.example"))
    rival_org = await api.institute(rival, name="State Universty")
    before = await domain_rows()
    problem = await register(api, rival, rival_org, "uni.example", expect=409)
    assert problem["errors"] == [
        {"field": "body.domain", "message": "another institute has registered it"}
    ]
    again = await register(api, admin, org, "UNI.example", expect=409)
    assert again["errors"][0]["message"] == "already registered here"
    assert await domain_rows() == before


async def test_two_institutes_claiming_one_domain_at_once_get_one_201_and_one_409(api):
    claimants = []
    for name in ("State University", "State Universty"):
        admin = await api.sign_up(["professional"], email=at("uni.example"))
        claimants.append((admin, await api.institute(admin, name=name)))
    statuses = []

    async def claim(admin, org):
        path = f"/api/organizations/{org['id']}/domains"
        response = await api.client.post(
            path, json={"domain": "uni.example"}, headers=admin.headers
        )
        statuses.append(response.status)

    await asyncio.gather(*(claim(admin, org) for admin, org in claimants))
    assert sorted(statuses) == [201, 409]


async def test_an_unproven_claim_gives_way_to_an_institute_that_proves_the_domain(api):
    squatter = await api.sign_up(["professional"], email=at("elsewhere.example"))
    squat = await api.institute(squatter, name="Fake University")
    claimed = await register(api, squatter, squat, "uni.example")
    assert claimed["verified"] is False
    # Someone without an email on it cannot take it either.
    other = await api.sign_up(["professional"], email=at("third.example"))
    third = await api.institute(other, name="Third College")
    await register(api, other, third, "uni.example", expect=409)

    owner = await api.sign_up(["professional"], email=at("uni.example"))
    real = await api.institute(owner, name="State University")
    moved = await register(api, owner, real, "uni.example")
    assert moved["verified"] is True
    listed = await api.get(f"/api/organizations/{squat['id']}/domains", as_=squatter)
    assert listed["items"] == []


async def test_domain_counts_only_while_an_admin_with_email_on_it_is_active(api, memberships):
    owner = await api.sign_up(["professional"], email=at("example.org"))
    org = await api.institute(owner)
    registered = await register(api, owner, org, "uni.example")
    assert (registered["verified"], registered["verified_by"]) == (False, None)
    dean = await api.sign_up(["professional"], email=at("cs.uni.example"))
    invitation = await memberships.invite(owner, org, dean, "admin")
    path = f"/api/organizations/{org['id']}/domains"

    async def counts() -> bool:
        listed = await api.get(path, as_=owner, expect=200)
        org_now = await api.get(f"/api/organizations/{org['id']}")
        assert listed["items"][0]["verified"] is org_now["domain_verified"]
        return org_now["domain_verified"]

    assert await counts() is False  # invited, not yet active
    await memberships.act(dean, invitation, "approve", 200)
    assert await counts() is True
    await memberships.act(dean, invitation, "leave", 200)
    assert await counts() is False


async def test_removing_the_domain_stops_it_counting(api):
    admin, org, registered = await verified_institute(api)
    path = f"/api/organizations/{org['id']}/domains/{registered['id']}"
    await api.delete(path, as_=admin, expect=204)
    await api.delete(path, as_=admin, expect=404)
    assert (await api.get(f"/api/organizations/{org['id']}"))["domain_verified"] is False


async def test_student_on_a_counting_domain_is_active_at_once(api, memberships, today):
    _, org, _ = await verified_institute(api)
    for role, email in (("student", at("uni.example")), ("alumni", at("alumni.uni.example"))):
        user = await api.sign_up(email=email)
        joined = await memberships.join(user, org, role)
        assert (joined["status"], joined["start_date"]) == ("active", today)


async def test_others_keep_the_request_and_approve_path(api, memberships):
    admin, org, _ = await verified_institute(api)
    cases = [
        ("faculty", at("uni.example")),  # staff standing is not proven by the email
        ("student", at("example.com")),  # not on the domain
        ("student", at("notuni.example")),  # a look-alike is not a subdomain
        ("student", at("uni.example.evil.test")),
    ]
    for role, email in cases:
        user = await api.sign_up(email=email)
        assert (await memberships.join(user, org, role))["status"] == "pending", email
    # An invitation stays the invitee's to accept.
    invited = await api.sign_up(email=at("uni.example"))
    assert (await memberships.invite(admin, org, invited, "student"))["status"] == "pending"


async def test_student_on_an_unproven_domain_waits_then_is_activated_when_it_counts(
    api, memberships
):
    owner = await api.sign_up(["professional"], email=at("example.org"))
    org = await api.institute(owner)
    await register(api, owner, org, "uni.example")
    student = await api.sign_up(email=at("uni.example"))
    request = await memberships.join(student, org, "student")
    assert request["status"] == "pending"
    dean = await api.sign_up(["professional"], email=at("uni.example"))
    invitation = await memberships.invite(owner, org, dean, "admin")
    await memberships.act(dean, invitation, "approve", 200)
    mine = await api.get("/api/me/memberships", as_=student, expect=200)
    assert [m["status"] for m in mine["items"]] == ["active"]
    notes = await api.get("/api/notifications", as_=student, expect=200)
    assert "membership.approved" in [n["type"] for n in notes["items"]]


async def test_registering_a_domain_activates_the_requests_it_vouches_for(api, memberships):
    admin = await api.sign_up(["professional"], email=at("uni.example"))
    org = await api.institute(admin)
    student = await api.sign_up(email=at("uni.example"))
    faculty = await api.sign_up(email=at("uni.example"))
    request = await memberships.join(student, org, "student")
    staff_request = await memberships.join(faculty, org, "faculty")
    await register(api, admin, org, "uni.example")
    members = await api.get(f"/api/organizations/{org['id']}/memberships", as_=admin)
    status = {m["id"]: m["status"] for m in members["items"]}
    assert status[request["id"]] == "active"
    assert status[staff_request["id"]] == "pending"


async def test_a_removed_domain_student_asking_again_waits_for_the_admin(api, memberships):
    admin, org, _ = await verified_institute(api)
    student = await api.sign_up(email=at("uni.example"))
    joined = await memberships.join(student, org, "student")
    assert joined["status"] == "active"
    await memberships.act(admin, joined, "deactivate", 200)
    again = await memberships.join(student, org, "student")
    assert (again["id"], again["status"]) == (joined["id"], "pending")
    notes = await api.get("/api/notifications", as_=admin, expect=200)
    assert "membership.requested" in [n["type"] for n in notes["items"]]
    await memberships.act(admin, again, "approve", 200)


async def test_a_student_who_left_or_was_declined_asks_again_through_the_admin(api, memberships):
    _, org, _ = await verified_institute(api)
    leaver = await api.sign_up(email=at("uni.example"))
    joined = await memberships.join(leaver, org, "student")
    await memberships.act(leaver, joined, "leave", 200)
    assert (await memberships.join(leaver, org, "student"))["status"] == "pending"
    # Declined while the domain did not count yet (no proven admin): asking again waits too.
    owner = await api.sign_up(["professional"], email=at("example.org"))
    other = await api.institute(owner, name="Other College")
    await register(api, owner, other, "other.example")
    declined = await api.sign_up(email=at("other.example"))
    request = await memberships.join(declined, other, "student")
    await memberships.act(owner, request, "decline", 200)
    dean = await api.sign_up(["professional"], email=at("other.example"))
    await memberships.act(
        dean, await memberships.invite(owner, other, dean, "admin"), "approve", 200
    )
    assert (await api.get(f"/api/organizations/{other['id']}"))["domain_verified"] is True
    assert (await memberships.join(declined, other, "student"))["status"] == "pending"


async def test_a_domain_that_starts_counting_leaves_reopened_requests_to_the_admin(
    api, memberships
):
    owner = await api.sign_up(["professional"], email=at("example.org"))
    org = await api.institute(owner)
    await register(api, owner, org, "uni.example")
    student = await api.sign_up(email=at("uni.example"))
    first = await memberships.join(student, org, "student")
    await memberships.act(owner, first, "decline", 200)
    reopened = await memberships.join(student, org, "student")
    newcomer = await api.sign_up(email=at("uni.example"))
    fresh = await memberships.join(newcomer, org, "student")
    dean = await api.sign_up(["professional"], email=at("uni.example"))
    await memberships.act(dean, await memberships.invite(owner, org, dean, "admin"), "approve", 200)
    members = await api.get(f"/api/organizations/{org['id']}/memberships", as_=owner)
    status = {m["id"]: m["status"] for m in members["items"]}
    assert (status[reopened["id"]], status[fresh["id"]]) == ("pending", "active")
