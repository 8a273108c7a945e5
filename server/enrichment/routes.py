"""HTTP routes for profile enrichment: the design document's "AI blackbox" hand-over."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, ApiRequest, endpoint
from server.enrichment import schemas
from server.enrichment.service import EnrichmentService

routes = web.RouteTableDef()
TAG = "enrichment"


@endpoint(
    routes,
    "POST",
    "/api/ai/process-profile",
    summary="Queue the enrichment of your profile from your resume (202 with the job to poll)",
    tag=TAG,
    auth=USER,
    body=schemas.ProcessProfileRequest,
    response=schemas.Enrichment,
    status=202,
    errors=(403, 404),
)
async def process_profile(api: ApiRequest) -> schemas.Enrichment:
    """`resume_url` defaults to the profile's. The same resume already queued or running is
    answered with that job rather than a second one. Poll `GET /api/ai/jobs/{id}`, or wait
    for the `profile.enriched` notification."""
    return await EnrichmentService(api.db).request(api.user.user_id, api.body)


@endpoint(
    routes,
    "GET",
    "/api/ai/jobs/{enrichment_id}",
    summary="An enrichment job of yours: status, attempts, error, and what it extracted",
    tag=TAG,
    auth=USER,
    response=schemas.Enrichment,
    errors=(404,),
)
async def get_enrichment(api: ApiRequest) -> schemas.Enrichment:
    return await EnrichmentService(api.db).get(api.user.user_id, api.path_id("enrichment_id"))
