"""Notification settings (missed-message emails, muted conversations) and the one-click
unsubscribe page a missed-message email links to (RFC 8058: GET shows a confirmation, POST
unsubscribes, no log-in needed)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from server import keys
from server.messaging.alerts import AlertService
from server.messaging.sender import SEND_WRITER
from server.messaging.unsubscribe import unsubscribe_user
from server.pages.web import PageRequest, page, routes, secure_headers, viewer_of


def _alerts(app: web.Application) -> AlertService:
    return AlertService(app[keys.DB], app[SEND_WRITER].unread)


@page("/settings/notifications", "notification_settings.html")
async def notification_settings(p: PageRequest) -> dict[str, Any]:
    alerts = _alerts(p.request.app)
    settings = await alerts.settings(p.user.id)
    muted = await alerts.muted_conversations(p.user.id)
    return {"settings": settings, "muted": muted}


@page("/unsubscribe/{token}", "unsubscribe.html", login=False)
async def unsubscribe_confirm(p: PageRequest) -> dict[str, Any]:
    secret = p.request.app[keys.SETTINGS].secret_key
    valid = unsubscribe_user(secret, p.request.match_info["token"]) is not None
    return {"valid": valid, "done": False}


@routes.post("/unsubscribe/{token}")
async def unsubscribe(request: web.Request) -> web.StreamResponse:
    """One-click unsubscribe: a mail client POSTs ``List-Unsubscribe=One-Click`` here, the
    confirmation page's button the same; the signed token is the only credential."""
    secret = request.app[keys.SETTINGS].secret_key
    done = await _alerts(request.app).unsubscribe(secret, request.match_info["token"])
    context = {"viewer": await viewer_of(request), "valid": done, "done": done}
    response = aiohttp_jinja2.render_template(
        "unsubscribe.html", request, context, status=200 if done else 404
    )
    return secure_headers(request, response)
