"""The HTTP request metrics' middleware: on every request, so it only reads the clock twice
and hands ``HttpRecorder.record`` the route's resource (the template, never the raw path,
whose values are unbounded), the method and the status.

A ``web.FileResponse`` (static files, stored files, exports) decides its status only when it
is sent, after the handler and every middleware have returned: not found, not modified,
partial content. Such a response is recorded by ``record_file_response`` (the app's
``on_response_prepare`` signal), with the status it is sent with.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from server.metrics.families import Metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# When a request whose FileResponse is yet to be sent started (``perf_counter``).
_FILE_STARTED: web.RequestKey[float] = web.RequestKey("metrics_file_started", float)


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
            if isinstance(response, web.FileResponse) and not response.prepared:
                request[_FILE_STARTED] = started  # recorded when sent
                status = 0
            else:
                status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            if status:
                record(request.match_info.route.resource, request.method, status, clock() - started)

    return http_metrics


def file_response_recorder(metrics: Metrics) -> Any:
    """The ``on_response_prepare`` handler recording the FileResponses the middleware left."""
    record = metrics.http.record
    clock = time.perf_counter

    async def record_file_response(request: web.Request, response: web.StreamResponse) -> None:
        started = request.get(_FILE_STARTED)
        if started is not None:
            del request[_FILE_STARTED]
            record(
                request.match_info.route.resource,
                request.method,
                response.status,
                clock() - started,
            )

    return record_file_response
