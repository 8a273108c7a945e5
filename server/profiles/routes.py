"""HTTP routes for profiles."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, ApiRequest, endpoint
from server.profiles import schemas
from server.profiles.service import ProfileService

routes = web.RouteTableDef()
TAG = "profiles"


@endpoint(
    routes,
    "GET",
    "/api/profiles/{user_id}",
    summary="A user's profile: all of it for its owner, the public fields for verified users",
    tag=TAG,
    auth=USER,
    response=schemas.Profile,
    errors=(403,),
)
async def get_profile(api: ApiRequest) -> schemas.Profile:
    """`resume_url` is included only for the owner and for active admin/recruiter members
    of companies the user has applied to (and not withdrawn from)."""
    return await ProfileService(api.db).get(
        api.user.user_id, api.user.is_verified, api.path_id("user_id")
    )


@endpoint(
    routes,
    "PATCH",
    "/api/profiles/{user_id}",
    summary="Edit your own profile (partial update; unverified users may edit theirs too)",
    tag=TAG,
    auth=USER,
    body=schemas.ProfileUpdate,
    response=schemas.Profile,
    errors=(403,),
)
async def update_profile(api: ApiRequest) -> schemas.Profile:
    """Absent fields are left alone; null clears a text field; a list replaces the stored
    list. `skills` takes only `claimed` (trimmed, de-duplicated case-insensitively); the
    platform-set `verified` list is kept. Organization links must name existing
    organizations."""
    return await ProfileService(api.db).update(api.user.user_id, api.path_id("user_id"), api.body)
