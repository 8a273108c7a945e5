"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import logging

import msgspec
from aiohttp import web

from server import keys
from server.api import PUBLIC, ApiRequest, endpoint, json_response
from server.db import pending_migrations
from server.queue_stats import QueueSnapshot, queue_snapshot
from server.queue_watch import no_worker_warning

log = logging.getLogger("rizeos.health")

# How long /readyz waits for the job queue (a detail of it) before leaving it out: well
# inside a balancer's check timeout (HAProxy's is the check interval, 2 s in
# deploy/haproxy.cfg; a Kubernetes probe's 1 s by default).
READY_QUEUE_READ_TIMEOUT_S = 1.0
# How long it waits for the database itself (a ping and the applied migrations) before
# answering 503: a database that accepts connections and never answers (a frozen server, a
# lock on schema_migrations held by a migration) must not hang the check either.
READY_DB_TIMEOUT_S = 1.0

routes = web.RouteTableDef()


class Health(msgspec.Struct):
    status: str
    pending_migrations: list[str] = []


class KindQueue(msgspec.Struct):
    kind: str
    queued: int
    scheduled: int
    picked: int
    oldest_queued_seconds: float


class JobQueue(msgspec.Struct):
    """The background jobs (issue 18): due and waiting in all, scheduled for later, how long
    the longest-waiting due one has been due, the workers whose heartbeat is fresh, per kind,
    and a warning when due jobs wait with no worker to run them."""

    queued: int
    scheduled: int
    oldest_queued_seconds: float
    workers: int
    kinds: list[KindQueue]
    warning: str | None = None

    @classmethod
    def of(cls, snapshot: QueueSnapshot) -> JobQueue:
        return cls(
            queued=snapshot.queued,
            scheduled=snapshot.scheduled,
            oldest_queued_seconds=round(snapshot.oldest_queued_seconds, 1),
            workers=snapshot.live_workers,
            kinds=[
                KindQueue(
                    k.kind, k.queued, k.scheduled, k.picked, round(k.oldest_queued_seconds, 1)
                )
                for k in snapshot.kinds
            ],
            warning=no_worker_warning(snapshot),
        )


class Ready(Health):
    # Once the database answers and is migrated, and its job queue was read in time.
    jobs: JobQueue | None = None


@endpoint(
    routes, "GET", "/healthz", summary="Alive", tag="operations", auth=PUBLIC, response=Health
)
async def healthz(api: ApiRequest) -> Health:
    return Health(status="ok")


@endpoint(
    routes,
    "GET",
    "/readyz",
    summary=(
        "Ready: database reachable and every migration applied (503 otherwise), with the job"
        " queue's depth, oldest job and live workers (no worker is a warning, not a 503)"
    ),
    tag="operations",
    auth=PUBLIC,
    response=Ready,
    errors=(503,),
)
async def readyz(api: ApiRequest) -> web.Response:
    db = api.app.get(keys.DB)
    if db is None:
        return json_response(Ready(status="starting"), 503)

    async def check() -> list[str]:
        async with db.connection() as conn:
            await db.q.schema.ping(conn)
            return await pending_migrations(conn, db.q)

    try:
        pending = await asyncio.wait_for(check(), READY_DB_TIMEOUT_S)
    except Exception as exc:  # any database failure or a timeout: "not ready", never a 500
        return json_response(Ready(status=f"database unavailable: {type(exc).__name__}"), 503)
    if pending:
        return json_response(Ready(status="migrations pending", pending_migrations=pending), 503)
    # The queue is a detail, read with a bounded wait: a lock on its table or a slow read
    # leaves it out (jobs: null) rather than hanging every instance's health check at once.
    try:
        snapshot = await asyncio.wait_for(
            queue_snapshot(db, api.settings.worker_heartbeat_seconds), READY_QUEUE_READ_TIMEOUT_S
        )
    except Exception as exc:
        log.warning("readyz: could not read the job queue (%s)", type(exc).__name__)
        return json_response(Ready(status="ready"))
    # A web instance serves without a worker (RUN_WORKER=no, workers elsewhere): no worker
    # is reported, and warned about, but the instance stays in the balancer's rotation.
    return json_response(Ready(status="ready", jobs=JobQueue.of(snapshot)))
