"""``python -m server worker``'s own ``GET /metrics`` and ``GET /healthz``, on
HOST:WORKER_METRICS_PORT when that is set (docs/operations.md, "Workers").

A worker process serves no web app, so without this its job outcomes and durations would be
counted into a registry nobody reads. The listener is a small aiohttp app holding what the
scrape reads from an app (``keys.SETTINGS``, ``keys.DB``, ``keys.METRICS``) and the very
``/metrics`` route of ``server.metrics.routes``, METRICS_TOKEN check included: the worker's
job families, its database pool, and the job queue read from PostgreSQL. It has no sockets,
so the Socket.IO and bus families are left out.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from server import keys
from server.config import Settings
from server.db import Database
from server.metrics import routes
from server.metrics.families import Metrics

log = logging.getLogger("rizeos.worker")

health_routes = web.RouteTableDef()


@health_routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process and its event loop answer (the web's /healthz says the same)."""
    return web.json_response({"status": "ok"})


def create_worker_metrics_app(
    settings: Settings, db: Database, metrics: Metrics
) -> web.Application:
    app = web.Application()
    app[keys.SETTINGS] = settings
    app[keys.DB] = db
    app[keys.METRICS] = metrics
    app.router.add_routes(routes.routes)
    app.router.add_routes(health_routes)
    return app


@asynccontextmanager
async def worker_metrics_listener(
    settings: Settings, db: Database, metrics: Metrics
) -> AsyncIterator[None]:
    """Serve the worker's metrics while the block runs, when WORKER_METRICS_PORT is set."""
    port = settings.worker_metrics_port
    if port is None:
        yield
        return
    # No access log: Prometheus scrapes every 15 s or so, and says itself when one fails.
    runner = web.AppRunner(
        create_worker_metrics_app(settings, db, metrics),
        access_log=None,
        shutdown_timeout=settings.shutdown_timeout,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, port).start()
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        log.info("worker metrics at http://%s:%d/metrics", host, port)
        yield
    finally:
        await runner.cleanup()
