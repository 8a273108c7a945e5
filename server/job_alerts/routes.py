"""HTTP routes for job alerts (issue 15, item 3)."""

from __future__ import annotations

from aiohttp import web

from server.api import VERIFIED, ApiRequest, endpoint
from server.job_alerts import schemas
from server.job_alerts.service import JobAlertService

routes = web.RouteTableDef()
TAG = "job alerts"


@endpoint(
    routes,
    "POST",
    "/api/me/job-alerts",
    summary="Save a board search as a job alert (instant: a notification; daily: an email)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.JobAlertCreate,
    response=schemas.JobAlert,
    status=201,
    errors=(409,),
)
async def create_job_alert(api: ApiRequest) -> schemas.JobAlert:
    """Jobs posted or reopened from now on that the board would show for this search are
    sent once each. 409 past 50 alerts."""
    return await JobAlertService(api.db).create(api.user.user_id, api.body)


@endpoint(
    routes,
    "GET",
    "/api/me/job-alerts",
    summary="Your job alerts, newest first",
    tag=TAG,
    auth=VERIFIED,
    query=schemas.JobAlertListQuery,
    response=schemas.JobAlertPage,
)
async def list_job_alerts(api: ApiRequest) -> schemas.JobAlertPage:
    return await JobAlertService(api.db).list_mine(api.user.user_id, api.query)


@endpoint(
    routes,
    "PATCH",
    "/api/me/job-alerts/{alert_id}",
    summary="Change a job alert's search or frequency; only the fields sent change",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.JobAlertUpdate,
    response=schemas.JobAlert,
)
async def update_job_alert(api: ApiRequest) -> schemas.JobAlert:
    return await JobAlertService(api.db).update(api.user.user_id, api.path_id("alert_id"), api.body)


@endpoint(
    routes,
    "DELETE",
    "/api/me/job-alerts/{alert_id}",
    summary="Delete a job alert: nothing more is sent for it, digest included",
    tag=TAG,
    auth=VERIFIED,
    status=204,
)
async def delete_job_alert(api: ApiRequest) -> None:
    await JobAlertService(api.db).delete(api.user.user_id, api.path_id("alert_id"))
