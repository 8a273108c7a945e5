"""The application factory, used by ``python -m server`` and by the tests alike."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from server import keys
from server.auth import tokens
from server.auth.attempts import install_password_attempts
from server.auth.last_seen import last_seen_ctx
from server.auth.oidc.routes import install_start_limit, oidc_ctx
from server.auth.sessions import SessionCache
from server.config import Settings
from server.db import Database, apply_migrations
from server.embedded import database_url
from server.errors import PARSER_MAX_LINE, error_middleware
from server.invalidation import Invalidation
from server.jobs.cache import JobCache
from server.logs import connection_log, file_response_logger, request_log_middleware
from server.mail import Mailer
from server.messaging.missed import connection_options
from server.metrics.families import Metrics
from server.pages import filters as template_filters
from server.pages.web import not_found_page_middleware
from server.queue_watch import queue_watch_ctx
from server.realtime.server import close_sockets, create_sio, realtime_ctx
from server.storage import storage_ctx
from server.uploads.sweep import upload_sweep_ctx
from server.worker import worker_ctx

log = logging.getLogger("rizeos.app")
ROOT = Path(__file__).resolve().parent.parent

# Each domain package has a routes.py exposing `routes`; the list is explicit so a
# missing module is an import error, not a silently absent API.
DOMAINS = (
    "server.health",
    "server.openapi",
    "server.auth.routes",
    # issue 17: sign in with identity providers
    "server.auth.oidc.routes",
    "server.auth.security_routes",
    "server.orgs.routes",
    "server.profiles.routes",
    # Before server.jobs.routes: /api/jobs/recommended must not be taken for /api/jobs/{job_id}.
    "server.matching.routes",
    "server.jobs.routes",
    "server.gigs.routes",
    "server.applications.routes",
    # Before server.orders.routes: POST /api/orders/{id}/review is not an order action.
    "server.reviews.routes",
    "server.orders.routes",
    "server.messaging.routes",
    "server.notifications.routes",
    "server.pages.routes",
    "server.uploads.routes",
    "server.storage.routes",
    "server.enrichment.routes",
    # issue 15 (H3): saved jobs and job alerts
    "server.saved_jobs.routes",
    "server.job_alerts.routes",
    # issue 17: the data export
    "server.exports.routes",
    # issue 17: account deletion
    "server.deletion.routes",
    # issue 18: GET /metrics
    "server.metrics.routes",
)

# Socket.IO namespaces: (module, class) pairs, registered on the app's one AsyncServer.
NAMESPACES = (
    ("server.messaging.namespace", "ChatNamespace"),
    ("server.notifications.namespace", "NotificationsNamespace"),
)


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    dsn = await asyncio.to_thread(database_url, settings)
    db = await Database.connect(
        dsn, settings.db_pool_min, settings.db_pool_max, options=connection_options(settings)
    )
    invalidation = app[keys.INVALIDATION]
    try:
        if settings.migrate_on_start:
            async with db.connection() as conn:
                await apply_migrations(conn, db.q)
        # Units of work publish their committed live events to this process's sockets (and,
        # through Redis, every instance's).
        db.events = app[keys.EVENTS]
        # After the migrations, which create the triggers that notify it.
        invalidation.dsn = dsn
        await invalidation.start()
        db.invalidation = invalidation
        app[keys.DB] = db
        yield
    finally:
        await invalidation.close()
        await db.close()
        log.info("database pool closed")


async def mail_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[keys.MAILER].drain()


async def freeze_startup_heap(app: web.Application) -> None:
    """Hide what start-up made (modules, templates, the pools: ~80k objects, all living as
    long as the process) from the cyclic garbage collector. Each full collection otherwise
    rescans them and stalls the event loop for ~30 ms on a 2-core box, every few seconds
    under load: that is a p99 latency spike for every socket on the instance. Only for a
    process that serves one app for its whole life (``python -m server web``): frozen
    objects that later form garbage cycles are never collected, so test processes that
    make an app per test do not freeze."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings) -> web.Application:
    metrics = Metrics()  # this app's own registry: tests make many apps in one process
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        # The caller is resolved by the API's route decorator (server/api.py), not here.
        middlewares=[
            request_log_middleware(metrics.http.record),  # the access log and HTTP metrics
            error_middleware,
            not_found_page_middleware,
        ],
        # How each connection parses requests (a request line long enough to be answered
        # 414 by error_middleware) and logs the ones it refuses. Set on the app, so the
        # server of ``python -m server`` and the tests' server are configured alike.
        handler_args={"logger": connection_log, "max_line_size": PARSER_MAX_LINE},
    )
    app[keys.SETTINGS] = settings
    tokens.use_profile(settings.password_hash_profile)
    app[keys.METRICS] = metrics
    # A FileResponse's status is settled when it is sent: counted and logged then.
    app.on_response_prepare.append(file_response_logger(metrics.http.record))
    app[keys.MAILER] = Mailer(settings.smtp_url, settings.mail_from)
    invalidation = Invalidation()
    app[keys.INVALIDATION] = invalidation
    app[keys.SESSIONS] = SessionCache(
        invalidation, settings.cache_max_entries, settings.cache_ttl_seconds
    )
    app[keys.JOBS] = JobCache(invalidation, settings.cache_max_entries, settings.cache_ttl_seconds)
    environment = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(ROOT / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
    )
    template_filters.install(environment)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(last_seen_ctx)
    app.cleanup_ctx.append(mail_ctx)
    app.cleanup_ctx.append(oidc_ctx)
    app.cleanup_ctx.append(storage_ctx)
    app.cleanup_ctx.append(upload_sweep_ctx)
    sio = create_sio(settings, metrics)
    app[keys.SIO] = sio
    app[keys.EVENTS] = sio.manager
    for module, name in NAMESPACES:
        sio.register_namespace(getattr(importlib.import_module(module), name)(app))
    sio.attach(app)
    install_password_attempts(app)  # on the fan-out bus's Redis client, when there is one
    install_start_limit(app)
    app.cleanup_ctx.append(realtime_ctx)
    app.on_shutdown.append(close_sockets)  # SIGTERM: clients reconnect elsewhere at once
    app.cleanup_ctx.append(worker_ctx)  # last: it uses the database, storage and events
    app.cleanup_ctx.append(queue_watch_ctx)  # issue 18: jobs queued and no worker alive
    for module in DOMAINS:
        app.router.add_routes(importlib.import_module(module).routes)
    app.router.add_static("/static/", ROOT / "static", name="static")
    return app
