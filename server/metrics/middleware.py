"""The HTTP request metrics' middleware: on every request, so it only reads the clock twice
and hands ``HttpRecorder.record`` the route's resource (the template, never the raw path,
whose values are unbounded), the method and the status."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from server.metrics.families import Metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def http_metrics_middleware(metrics: Metrics) -> Any:
    """The middleware counting into ``metrics`` (an app's): a closure, so a request does not
    look the app's metrics up."""
    record = metrics.http.record
    clock = time.perf_counter

    @web.middleware
    async def http_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = clock()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            record(request.match_info.route.resource, request.method, status, clock() - started)

    return http_metrics
