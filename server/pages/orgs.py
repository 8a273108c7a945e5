"""Pages for organizations and memberships: my organizations and invitations, an
organization's members (admins approve join requests, invite recruiters, end memberships,
and for an institute register its email domains), and an institute's public page."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.orgs import schemas as org_schemas
from server.orgs.access import MANAGE
from server.orgs.domains import DomainService
from server.orgs.institutes import InstituteService
from server.orgs.memberships import MembershipService
from server.orgs.service import OrganizationService
from server.pages.web import PageRequest, page

ROLES = {
    "company": ("admin", "recruiter", "employee"),
    "institute": ("admin", "student", "alumni", "faculty"),
}


@page("/organizations", "organizations.html")
async def my_organizations(p: PageRequest) -> dict[str, Any]:
    mine = await MembershipService(p.db).list_for_user(
        p.user.id, org_schemas.MembershipListQuery(limit=100)
    )
    items = [m for m in mine.items if m.status != "inactive"]
    return {
        "invitations": [m for m in items if m.status == "pending" and m.invited_by is not None],
        "requests": [m for m in items if m.status == "pending" and m.invited_by is None],
        "active": [m for m in items if m.status == "active"],
    }


@page("/organizations/{organization_id}/members", "members.html")
async def members(p: PageRequest) -> dict[str, Any]:
    org_id = p.path_id("organization_id")
    org = await OrganizationService(p.db).get(org_id)
    listing = await MembershipService(p.db).list_for_org(
        p.user.id, org_id, org_schemas.MembershipListQuery(limit=100)
    )
    items = [m for m in listing.items if m.status != "inactive"]
    mine = [m for m in items if m.user_id == p.user.id and m.status == "active"]
    is_admin = any(m.role_in_org == "admin" for m in mine)
    domains = None
    if is_admin and org.type == "institute":
        domains = await DomainService(p.db).list(
            p.user.id, org_id, org_schemas.PageQuery(limit=100)
        )
    return {
        "org": org,
        "members": items,
        "is_admin": is_admin,
        "viewer_active": bool(mine),
        "roles": ROLES[org.type],
        "domains": domains,
    }


@page("/organizations/{organization_id}/edit", "org_edit.html")
async def edit_organization(p: PageRequest) -> dict[str, Any]:
    org_id = p.path_id("organization_id")
    service = OrganizationService(p.db)
    org = await service.get(org_id)
    await service.require_role(p.user.id, org_id, MANAGE, "edit it")
    return {"org": org}


@page("/institutes/{organization_id}", "institute.html", login=False)
async def institute_page(p: PageRequest) -> dict[str, Any]:
    """Anyone: the institute and how its students fare (counts). Its admins: the students,
    a page at a time."""
    org_id = p.path_id("organization_id")
    org = await OrganizationService(p.db).get(org_id)
    if org.type != "institute":
        raise web.HTTPNotFound()
    institutes = InstituteService(p.db)
    outcomes = await institutes.outcomes(org_id)
    is_admin = p.viewer is not None and await OrganizationService(p.db).has_role(
        p.viewer.id, org_id, MANAGE
    )
    students = None
    if is_admin:
        query, _ = p.query(org_schemas.PageQuery)
        students = await institutes.students(p.user.id, org_id, query)
    return {"org": org, "outcomes": outcomes, "is_admin": is_admin, "students": students}
