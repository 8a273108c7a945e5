"""HTTP routes for gigs (workflow 3)."""

from __future__ import annotations

from aiohttp import web

from server.api import PUBLIC, USER, VERIFIED, ApiRequest, endpoint
from server.gigs import schemas
from server.gigs.service import GigService

routes = web.RouteTableDef()
TAG = "gigs"


@endpoint(
    routes,
    "POST",
    "/api/gigs",
    summary="Offer a service: needs a verified email and the freelancer role",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.GigCreate,
    response=schemas.Gig,
    status=201,
)
async def create_gig(api: ApiRequest) -> schemas.Gig:
    """Prices are integers in minor units; every tier uses one ISO-4217 currency; prices
    never decrease basic → standard → premium. Skills are stored trimmed, lower-cased and
    de-duplicated, so skill filters match case-insensitively."""
    return await GigService(api.db).create(api.user.user_id, api.user.roles, api.body)


@endpoint(
    routes,
    "GET",
    "/api/gigs",
    summary="Search active gigs: full-text `q` (ranked), skills (all/any), freelancer",
    tag=TAG,
    auth=PUBLIC,
    query=schemas.GigSearch,
    response=schemas.GigPage,
)
async def search_gigs(api: ApiRequest) -> schemas.GigPage:
    """With `q`, gigs are ranked by relevance (title hits above description hits); without
    it, newest first. Pass `next` back as `cursor` for the following page."""
    return await GigService(api.db).search(api.query)


@endpoint(
    routes,
    "GET",
    "/api/gigs/{gig_id}",
    summary="A gig (a paused gig is visible only to its freelancer)",
    tag=TAG,
    auth=PUBLIC,
    response=schemas.Gig,
)
async def get_gig(api: ApiRequest) -> schemas.Gig:
    viewer = api.caller.user_id if api.caller else None
    return await GigService(api.db).get(viewer, api.path_id("gig_id"))


@endpoint(
    routes,
    "PATCH",
    "/api/gigs/{gig_id}",
    summary="Edit your gig, or pause/reactivate it with `status`",
    tag=TAG,
    auth=USER,
    body=schemas.GigUpdate,
    response=schemas.Gig,
    errors=(403,),
)
async def update_gig(api: ApiRequest) -> schemas.Gig:
    return await GigService(api.db).update(api.user.user_id, api.path_id("gig_id"), api.body)


@endpoint(
    routes,
    "DELETE",
    "/api/gigs/{gig_id}",
    summary="Delete your gig",
    tag=TAG,
    auth=USER,
    errors=(403,),
)
async def delete_gig(api: ApiRequest) -> None:
    await GigService(api.db).delete(api.user.user_id, api.path_id("gig_id"))
