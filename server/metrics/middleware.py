"""The HTTP request metrics: a middleware on every request, so it is kept lean.

Labelled by the route's template (``/api/jobs/{job_id}``), never the raw path, whose values
are unbounded. The labelled children of each (route, method, status) are looked up once and
kept, so a request costs two clock reads, one dict lookup, one increment and one
observation; no strings are built per request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from server.metrics.families import Metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# A client may send any token as a method; label the others "other" so they stay bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# No route matched (404, or 405 for a method the path has no route for).
UNMATCHED = "unmatched"


def route_template(resource: web.AbstractResource | None) -> str:
    return UNMATCHED if resource is None else resource.canonical


def http_metrics_middleware(metrics: Metrics) -> Any:
    """The middleware counting into ``metrics`` (an app's): a closure, so a request does not
    look the app's metrics up."""
    children: dict[tuple[Any, str, int], tuple[Any, Any]] = {}
    requests, duration = metrics.http_requests, metrics.http_duration

    def children_of(key: tuple[Any, str, int]) -> tuple[Any, Any]:
        resource, method, status = key
        route = route_template(resource)
        found = (
            requests.labels(route, method, str(status)),
            duration.labels(route, method),
        )
        children[key] = found
        return found

    @web.middleware
    async def http_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            elapsed = time.perf_counter() - started
            method = request.method
            # Keyed by the resource object, not the route: a 404's route is made per request.
            key = (
                request.match_info.route.resource,
                method if method in METHODS else "other",
                status,
            )
            count, observe = children.get(key) or children_of(key)
            count.inc()
            observe.observe(elapsed)

    return http_metrics
