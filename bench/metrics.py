"""What the HTTP metrics (issue 18) cost a request, in process: a routed request through a
pass-through middleware, through the request middleware (server/logs.py: access log and
metrics; the access log is off here, as a logger below its level) handing its outcome to a
no-op, to the app's ``HttpRecorder.record``, and to the same counting done with
prometheus-client's ``Counter`` and ``Histogram``. Medians of N rounds, and ratios to the
pass-through middleware; what the metrics cost is a row's figure less the no-op row's.

    python bench/metrics.py [--rounds 7] [--requests 200000]

End to end, ``python bench/rest.py --only "GET /api/me bearer"`` runs the whole server; on a
shared box its noise is larger than this difference, which is why this one exists.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from prometheus_client import CollectorRegistry, Counter, Histogram

from server.logs import request_log_middleware
from server.metrics.families import Metrics
from server.metrics.http import BUCKETS


def library_recorder():
    """The same families counted with prometheus-client's metric objects, children cached:
    a recorder for the request middleware, as ``HttpRecorder.record`` is."""
    registry = CollectorRegistry()
    requests = Counter("r", "r", ("route", "method", "status"), registry=registry)
    duration = Histogram("d", "d", ("route", "method"), buckets=BUCKETS, registry=registry)
    children: dict = {}

    def record(resource, method: str, status: int, seconds: float) -> None:
        key = (resource, method, status)
        found = children.get(key)
        if found is None:
            route = resource.canonical
            found = children[key] = (
                requests.labels(route, method, str(status)),
                duration.labels(route, method),
            )
        found[0].inc()
        found[1].observe(seconds)

    return record


async def main(rounds: int, count: int) -> None:
    app = web.Application()

    async def me(request: web.Request) -> web.Response:
        return web.Response(text="me")

    app.router.add_get("/api/me", me)
    app.freeze()
    request = make_mocked_request("GET", "/api/me", app=app)
    request._match_info = await app.router.resolve(request)  # as the server's routing does
    response = web.Response(text="me")

    async def handler(request: web.Request) -> web.Response:
        return response

    @web.middleware
    async def pass_through(request, handler):
        return await handler(request)

    candidates = {
        "pass-through middleware": pass_through,
        "request middleware, no-op recorder": request_log_middleware(lambda *_: None),
        "request middleware, HTTP metrics": request_log_middleware(Metrics().http.record),
        "request middleware, prometheus-client objects": request_log_middleware(library_recorder()),
    }
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, middleware in candidates.items():
            started = time.perf_counter()
            for _ in range(count):
                await middleware(request, handler)
            times[name].append((time.perf_counter() - started) / count)
    base = statistics.median(times["pass-through middleware"])
    print(f"{rounds} rounds of {count:,} requests; medians\n")
    print("| middleware | µs per request | own work, µs | ratio to pass-through |")
    print("|---|---|---|---|")
    for name, runs in times.items():
        median = statistics.median(runs)
        own = (median - base) * 1e6
        print(f"| {name} | {median * 1e6:.2f} | {own:.2f} | {median / base:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.requests))
