"""``GET /metrics``: this instance's metrics in Prometheus's text format.

With METRICS_TOKEN set, a scrape must send ``Authorization: Bearer <METRICS_TOKEN>`` (401
otherwise); unset, anyone may read it (docs/operations.md: set it in production, or keep
/metrics off the public listener). Not an ``endpoint()`` of server/api.py: that resolves a
bearer token as a user's session first and refuses an unknown one, and a scrape carries no
session; nor a JSON API route for the OpenAPI document. Registered like /api/openapi.json.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import Metric

from server import keys
from server.metrics.collectors import pool_families, queue_families, realtime_families

routes = web.RouteTableDef()


class Scrape:
    """What one scrape reports: the app's registry, then the families read just now
    (``generate_latest`` takes anything with ``collect()``)."""

    def __init__(self, app: web.Application, read_now: Iterable[Metric]):
        self.app = app
        self.read_now = read_now

    def collect(self) -> Iterator[Metric]:
        yield from self.app[keys.METRICS].registry.collect()
        yield from realtime_families(self.app)
        yield from pool_families(self.app)
        yield from self.read_now


def authorized(request: web.Request, token: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    # Compared as the bytes sent: aiohttp hands a header that is not UTF-8 over with
    # surrogate escapes, which a plain ``encode()`` refuses (a 500, not a 401).
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode("utf-8", "surrogateescape"), token.encode()
    )


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    app = request.app
    token = app[keys.SETTINGS].metrics_token
    if token is not None and not authorized(request, token):
        return web.Response(
            status=401,
            text="send Authorization: Bearer <METRICS_TOKEN>\n",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = generate_latest(Scrape(app, await queue_families(app)))  # type: ignore[arg-type]
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
