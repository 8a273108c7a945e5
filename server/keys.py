"""Typed keys for everything stored on the aiohttp application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from server.config import Settings
    from server.db import Database
    from server.mail import Mailer

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB: web.AppKey[Database] = web.AppKey("db")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
