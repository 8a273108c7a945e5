"""Account and security settings (issue 17): how you sign in, your sessions, password and
email, and your data (export, deletion). Each section is a partial
(templates/partials/account_*.html); the live parts load from the API."""

from __future__ import annotations

from typing import Any

from server.pages.web import PageRequest, page


@page("/settings/account", "account_settings.html")
async def account_settings(p: PageRequest) -> dict[str, Any]:
    return {"user": p.user}
