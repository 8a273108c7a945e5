"""Pages for organizations and memberships: my organizations and invitations, and an
organization's members (admins approve join requests, invite recruiters, end memberships)."""

from __future__ import annotations

from typing import Any

from server.orgs import schemas as org_schemas
from server.orgs.access import MANAGE
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
    return {
        "org": org,
        "members": items,
        "is_admin": any(m.role_in_org == "admin" for m in mine),
        "viewer_active": bool(mine),
        "roles": ROLES[org.type],
    }


@page("/organizations/{organization_id}/edit", "org_edit.html")
async def edit_organization(p: PageRequest) -> dict[str, Any]:
    org_id = p.path_id("organization_id")
    service = OrganizationService(p.db)
    org = await service.get(org_id)
    await service.require_role(p.user.id, org_id, MANAGE, "edit it")
    return {"org": org}
