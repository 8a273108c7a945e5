"""Pages of saved jobs and job alerts (issue 15): the Saved list, the alerts page, and the
one-click unsubscribe page the digest email links to (RFC 8058: GET shows a confirmation,
POST unsubscribes, no log-in needed)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from server import keys
from server.errors import BadRequest
from server.job_alerts import schemas as alert_schemas
from server.job_alerts.service import JobAlertService
from server.job_alerts.unsubscribe import digest_unsubscribe_user
from server.pages.hiring import EMPLOYMENT_TYPES
from server.pages.web import PageRequest, page, routes, secure_headers, viewer_of
from server.saved_jobs import schemas as saved_schemas
from server.saved_jobs.service import SavedJobService


@page("/me/saved-jobs", "saved_jobs.html")
async def saved_jobs(p: PageRequest) -> dict[str, Any]:
    query, _ = p.query(saved_schemas.SavedJobListQuery)
    service = SavedJobService(p.db)
    try:
        results = await service.list_mine(p.user.id, query)
    except BadRequest:  # a stale or hand-edited cursor: the first page
        results = await service.list_mine(p.user.id, saved_schemas.SavedJobListQuery())
    jobs = [item.job for item in results.items]
    marks = await service.marks(p.user.id, [job.id for job in jobs])
    return {"results": results, "marks": marks}


@page("/me/job-alerts", "job_alerts.html")
async def job_alerts(p: PageRequest) -> dict[str, Any]:
    query, _ = p.query(alert_schemas.JobAlertListQuery)
    service = JobAlertService(p.db)
    try:
        results = await service.list_mine(p.user.id, query)
    except BadRequest:
        results = await service.list_mine(p.user.id, alert_schemas.JobAlertListQuery())
    return {
        "results": results,
        "emails": await service.emails_enabled(p.user.id),
        "employment_types": dict(EMPLOYMENT_TYPES),
    }


@page("/unsubscribe/job-alerts/{token}", "job_alert_unsubscribe.html", login=False)
async def job_alert_unsubscribe_confirm(p: PageRequest) -> dict[str, Any]:
    secret = p.request.app[keys.SETTINGS].secret_key
    valid = digest_unsubscribe_user(secret, p.request.match_info["token"]) is not None
    return {"valid": valid, "done": False}


@routes.post("/unsubscribe/job-alerts/{token}")
async def job_alert_unsubscribe(request: web.Request) -> web.StreamResponse:
    """One-click unsubscribe from the digest: a mail client POSTs
    ``List-Unsubscribe=One-Click`` here, the confirmation page's button the same; the signed
    token is the only credential, and it can only turn the digest off."""
    secret = request.app[keys.SETTINGS].secret_key
    user_id = digest_unsubscribe_user(secret, request.match_info["token"])
    done = user_id is not None and await JobAlertService(request.app[keys.DB]).set_emails(
        user_id, False
    )
    context = {"viewer": await viewer_of(request), "valid": done, "done": done}
    response = aiohttp_jinja2.render_template(
        "job_alert_unsubscribe.html", request, context, status=200 if done else 404
    )
    return secure_headers(request, response)
