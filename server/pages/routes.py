"""Every HTML page, registered on one route table (listed in server/app.py's DOMAINS)."""

from __future__ import annotations

from server.pages import (
    account_settings,
    accounts,
    alerts,
    assets,
    chat,
    docs,
    hiring,
    notifications,
    orders,
    orgs,
    people,
)
from server.pages.web import routes

__all__ = [
    "account_settings",
    "accounts",
    "alerts",
    "assets",
    "chat",
    "docs",
    "hiring",
    "notifications",
    "orders",
    "orgs",
    "people",
    "routes",
]
