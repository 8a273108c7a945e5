"""Account and security settings (issue 17): how you sign in, your sessions, password and
email, and your data (export, deletion). Each section is a partial
(templates/partials/account_*.html); the live parts load from the API."""

from __future__ import annotations

from typing import Any

from server import keys
from server.auth.security import SecurityService
from server.pages.web import PageRequest, page


@page("/settings/account", "account_settings.html")
async def account_settings(p: PageRequest) -> dict[str, Any]:
    security = SecurityService(p.db, p.request.app[keys.SETTINGS], p.request.app[keys.MAILER])
    return {"user": p.user, "security": await security.overview(p.user.id)}
