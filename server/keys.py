"""Typed keys for everything stored on the aiohttp application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import socketio

    from server.auth.sessions import SessionCache
    from server.config import Settings
    from server.db import Database
    from server.invalidation import Invalidation
    from server.jobs.cache import JobCache
    from server.mail import Mailer
    from server.metrics.families import Metrics
    from server.realtime.manager import RealtimeManager
    from server.storage import Storage

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB: web.AppKey[Database] = web.AppKey("db")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio")
# The Socket.IO client manager: this process's live-event sink (Database.events), presence.
EVENTS: web.AppKey[RealtimeManager] = web.AppKey("events")
STORAGE: web.AppKey[Storage] = web.AppKey("storage")
# This process's cache invalidation (LISTEN) and the caches it keeps honest.
INVALIDATION: web.AppKey[Invalidation] = web.AppKey("invalidation")
SESSIONS: web.AppKey[SessionCache] = web.AppKey("sessions")
JOBS: web.AppKey[JobCache] = web.AppKey("jobs")
# issue 18: this app's metrics registry and the families its components count into.
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
