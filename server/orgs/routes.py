"""HTTP routes for organizations and memberships."""

from __future__ import annotations

from aiohttp import web

from server.api import PUBLIC, VERIFIED, ApiRequest, endpoint
from server.orgs import schemas
from server.orgs.service import OrganizationService

routes = web.RouteTableDef()
TAG = "organizations"


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
    "/api/organizations/{organization_id}",
    summary="An organization's public page",
    tag=TAG,
    auth=PUBLIC,
    response=schemas.Organization,
)
async def get_organization(api: ApiRequest) -> schemas.Organization:
    return await OrganizationService(api.db).get(api.path_id("organization_id"))
