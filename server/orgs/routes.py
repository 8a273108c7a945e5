"""HTTP routes for organizations, memberships, and platform-admin verification."""

from __future__ import annotations

from aiohttp import web

from server.api import ADMIN, PUBLIC, USER, VERIFIED, ApiRequest, endpoint
from server.orgs import schemas
from server.orgs.domains import DomainService
from server.orgs.institutes import InstituteService
from server.orgs.memberships import MembershipService
from server.orgs.service import OrganizationService

routes = web.RouteTableDef()
TAG = "organizations"
MEMBERSHIPS = "memberships"


@endpoint(
    routes,
    "POST",
    "/api/organizations",
    summary="Create a company (needs the employer role) or an institute; you become its admin",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrganizationCreate,
    response=schemas.Organization,
    status=201,
)
async def create_organization(api: ApiRequest) -> schemas.Organization:
    return await OrganizationService(api.db).create(api.user.user_id, api.user.roles, api.body)


@endpoint(
    routes,
    "GET",
    "/api/organizations",
    summary="Find organizations by name (`q`, substring, case-insensitive) and `type`",
    tag=TAG,
    auth=PUBLIC,
    query=schemas.OrganizationSearch,
    response=schemas.OrganizationPage,
)
async def search_organizations(api: ApiRequest) -> schemas.OrganizationPage:
    """Verified organizations first (`is_verified` or `domain_verified`), then by name; pass
    `next` back as `cursor` for the following page."""
    return await OrganizationService(api.db).search(api.query)


@endpoint(
    routes,
    "GET",
    "/api/organizations/{organization_id}",
    summary="An organization's public page",
    tag=TAG,
    auth=PUBLIC,
    response=schemas.Organization,
)
async def get_organization(api: ApiRequest) -> schemas.Organization:
    return await OrganizationService(api.db).get(api.path_id("organization_id"))


@endpoint(
    routes,
    "PATCH",
    "/api/organizations/{organization_id}",
    summary="Edit an organization (its active admins only); only the fields sent change",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrganizationUpdate,
    response=schemas.Organization,
)
async def update_organization(api: ApiRequest) -> schemas.Organization:
    return await OrganizationService(api.db).update(
        api.user.user_id, api.path_id("organization_id"), api.body
    )


@endpoint(
    routes,
    "POST",
    "/api/admin/organizations/{organization_id}/verification",
    summary="Mark an organization verified or not (platform admins only)",
    tag=TAG,
    auth=ADMIN,
    body=schemas.VerificationChange,
    response=schemas.Organization,
)
async def set_organization_verification(api: ApiRequest) -> schemas.Organization:
    return await OrganizationService(api.db).set_verified(
        api.path_id("organization_id"), api.body.is_verified
    )


@endpoint(
    routes,
    "POST",
    "/api/organizations/{organization_id}/memberships",
    summary="Ask to join (no invitee) or, as an admin, invite a user by email or user_id",
    tag=MEMBERSHIPS,
    auth=VERIFIED,
    body=schemas.MembershipCreate,
    response=schemas.Membership,
    status=201,
    errors=(409,),
)
async def create_membership(api: ApiRequest) -> schemas.Membership:
    """The membership is `pending`: an organization admin approves a join request, the
    invitee accepts an invitation (POST /api/memberships/{membership_id}/approve)."""
    return await MembershipService(api.db).request(
        api.user.user_id, api.path_id("organization_id"), api.body
    )


@endpoint(
    routes,
    "GET",
    "/api/organizations/{organization_id}/memberships",
    summary="An organization's members: active ones for members, all (with email) for admins",
    tag=MEMBERSHIPS,
    auth=USER,
    query=schemas.MembershipListQuery,
    response=schemas.MemberPage,
    errors=(403,),
)
async def list_organization_memberships(api: ApiRequest) -> schemas.MemberPage:
    return await MembershipService(api.db).list_for_org(
        api.user.user_id, api.path_id("organization_id"), api.query
    )


@endpoint(
    routes,
    "GET",
    "/api/me/memberships",
    summary="Your memberships, with each organization's name and type",
    tag=MEMBERSHIPS,
    auth=USER,
    query=schemas.MembershipListQuery,
    response=schemas.MyMembershipPage,
)
async def list_my_memberships(api: ApiRequest) -> schemas.MyMembershipPage:
    return await MembershipService(api.db).list_for_user(api.user.user_id, api.query)


def _membership_action(path: str, summary: str):
    return endpoint(
        routes,
        "POST",
        f"/api/memberships/{{membership_id}}/{path}",
        summary=summary,
        tag=MEMBERSHIPS,
        auth=VERIFIED,
        response=schemas.Membership,
        errors=(409,),
    )


@_membership_action(
    "approve",
    "Approve a pending membership: an org admin approves a join request, the invitee accepts",
)
async def approve_membership(api: ApiRequest) -> schemas.Membership:
    return await MembershipService(api.db).approve(api.user.user_id, api.path_id("membership_id"))


@_membership_action(
    "decline",
    "Decline a pending membership (the same people who may approve it)",
)
async def decline_membership(api: ApiRequest) -> schemas.Membership:
    return await MembershipService(api.db).decline(api.user.user_id, api.path_id("membership_id"))


@_membership_action(
    "deactivate",
    "End a membership or withdraw an invitation (org admins; never the last active admin)",
)
async def deactivate_membership(api: ApiRequest) -> schemas.Membership:
    return await MembershipService(api.db).deactivate(
        api.user.user_id, api.path_id("membership_id")
    )


@_membership_action(
    "leave",
    "Leave an organization, or withdraw your pending request (never as its last active admin)",
)
async def leave_membership(api: ApiRequest) -> schemas.Membership:
    return await MembershipService(api.db).leave(api.user.user_id, api.path_id("membership_id"))


DOMAINS = "institute domains"


@endpoint(
    routes,
    "POST",
    "/api/organizations/{organization_id}/domains",
    summary="Register an email domain of an institute (its active admins); free-mail and "
    "public suffixes are refused",
    tag=DOMAINS,
    auth=VERIFIED,
    body=schemas.DomainCreate,
    response=schemas.InstituteDomain,
    status=201,
    errors=(409,),
)
async def register_domain(api: ApiRequest) -> schemas.InstituteDomain:
    """The domain counts (`verified`) while an active admin of the institute has a verified
    email on it; students whose verified email is on a counting domain then join as
    `active` at once. 409: a company, a domain already held (unless the holder cannot prove
    it and you can), or one this institute has already."""
    return await DomainService(api.db).register(
        api.user.user_id, api.path_id("organization_id"), api.body
    )


@endpoint(
    routes,
    "GET",
    "/api/organizations/{organization_id}/domains",
    summary="An institute's email domains and whether each counts (its active admins)",
    tag=DOMAINS,
    auth=USER,
    query=schemas.PageQuery,
    response=schemas.DomainPage,
    errors=(403,),
)
async def list_domains(api: ApiRequest) -> schemas.DomainPage:
    return await DomainService(api.db).list(
        api.user.user_id, api.path_id("organization_id"), api.query
    )


@endpoint(
    routes,
    "DELETE",
    "/api/organizations/{organization_id}/domains/{domain_id}",
    summary="Remove an institute's email domain (its active admins); members stay",
    tag=DOMAINS,
    auth=VERIFIED,
    errors=(409,),
)
async def remove_domain(api: ApiRequest) -> None:
    await DomainService(api.db).remove(
        api.user.user_id, api.path_id("organization_id"), api.path_id("domain_id")
    )


@endpoint(
    routes,
    "GET",
    "/api/organizations/{organization_id}/outcomes",
    summary="An institute's students and alumni: how many, how many applied, how many hired",
    tag=DOMAINS,
    auth=PUBLIC,
    response=schemas.InstituteOutcomes,
)
async def institute_outcomes(api: ApiRequest) -> schemas.InstituteOutcomes:
    return await InstituteService(api.db).outcomes(api.path_id("organization_id"))


@endpoint(
    routes,
    "GET",
    "/api/organizations/{organization_id}/students",
    summary="An institute's active students and alumni with their application figures "
    "(its active admins)",
    tag=DOMAINS,
    auth=USER,
    query=schemas.PageQuery,
    response=schemas.InstituteStudentPage,
    errors=(403,),
)
async def institute_students(api: ApiRequest) -> schemas.InstituteStudentPage:
    return await InstituteService(api.db).students(
        api.user.user_id, api.path_id("organization_id"), api.query
    )
