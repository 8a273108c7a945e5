"""Families read from the app while ``/metrics`` answers: open sockets, deliveries, the Redis
bus, the database pool and the job queue. Nothing here runs between scrapes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

from aiohttp import web
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from server import keys
from server.metrics.families import NAMESPACE
from server.queue_stats import QUEUE_READ_TIMEOUT_S, QueueSnapshot, queue_snapshot

log = logging.getLogger("rizeos.metrics")


def _name(name: str) -> str:
    return f"{NAMESPACE}_{name}"


def realtime_families(app: web.Application) -> Iterator[Metric]:
    sio = app.get(keys.SIO)
    if sio is None:  # a standalone worker's listener: no sockets, no bus of its own
        return
    manager = app[keys.EVENTS]
    sockets = GaugeMetricFamily(
        _name("socketio_connected_sockets"),
        "Socket.IO connections open on this instance, by namespace",
        labels=("namespace",),
    )
    for namespace in sio.namespace_handlers:
        connected = manager.rooms.get(namespace, {}).get(None, ())
        sockets.add_metric((namespace,), len(connected))
    yield sockets
    delivered = CounterMetricFamily(
        _name("socketio_events_delivered"),
        "Events written to sockets on this instance, one per socket, by namespace and event "
        '(chat messages: namespace="/chat", event="message")',
        labels=("namespace", "event"),
    )
    for (namespace, event), count in sorted(manager.stats.by_event.items()):
        delivered.add_metric((namespace, event), count)
    yield delivered
    stats = manager.stats
    slow = CounterMetricFamily(
        _name("socketio_slow_consumers"),
        "Slow sockets: best-effort events skipped for them, or their connection cut off",
        labels=("action",),
    )
    slow.add_metric(("skipped_best_effort",), stats.skipped_slow_best_effort)
    slow.add_metric(("cut_off",), stats.cut_off_slow)
    yield slow
    bus = manager.bus
    if bus is None:  # no REDIS_URL: no fan-out, no bus families
        return
    published = CounterMetricFamily(
        _name("bus_published"), "Emits handed to Redis for the other instances"
    )
    published.add_metric((), bus.stats.published)
    yield published
    received = CounterMetricFamily(
        _name("bus_received"),
        "Emits received from other instances over Redis (node and broadcast messages)",
    )
    received.add_metric((), bus.stats.received)
    yield received
    dropped = CounterMetricFamily(
        _name("bus_dropped"),
        "Emits dropped before Redis took them (queue full or Redis down), by kind",
        labels=("kind",),
    )
    dropped.add_metric(("best_effort",), bus.stats.dropped_best_effort)
    dropped.add_metric(("reliable",), bus.stats.dropped_reliable)
    yield dropped
    errors = CounterMetricFamily(
        _name("bus_publish_errors"), "Failed publishes to Redis (each retried)"
    )
    errors.add_metric((), bus.stats.publish_errors)
    yield errors
    queued = GaugeMetricFamily(
        _name("bus_queue_depth"), "Emits waiting in this instance's publish queue"
    )
    queued.add_metric((), bus.queue.qsize())
    yield queued


def pool_families(app: web.Application) -> Iterator[Metric]:
    db = app.get(keys.DB)
    if db is None:  # starting up
        return
    pool = db.pool
    size, idle = pool.get_size(), pool.get_idle_size()
    connections = GaugeMetricFamily(
        _name("db_pool_connections"),
        "This instance's PostgreSQL pool: connections in use and idle",
        labels=("state",),
    )
    connections.add_metric(("in_use",), size - idle)
    connections.add_metric(("idle",), idle)
    yield connections
    most = GaugeMetricFamily(_name("db_pool_max_connections"), "The pool's size limit")
    most.add_metric((), pool.get_max_size())
    yield most


async def queue_families(app: web.Application) -> list[Metric]:
    """The job queue as PostgreSQL has it (shared by every instance: the same figures on
    each), read now with a bounded wait."""
    up = GaugeMetricFamily(
        _name("job_queue_up"),
        "1 when this scrape could read the job queue, 0 when the database did not answer "
        "in time (the rizeos_jobs_* and rizeos_workers_live families are then left out)",
    )
    snapshot: QueueSnapshot | None = None
    db = app.get(keys.DB)
    if db is not None:
        stale = app[keys.SETTINGS].worker_heartbeat_seconds
        # A slow or absent database shows as rizeos_job_queue_up 0, never as a hung or
        # failed scrape.
        try:
            snapshot = await asyncio.wait_for(queue_snapshot(db, stale), QUEUE_READ_TIMEOUT_S)
        except Exception as exc:  # an outage or a timeout: report it, never fail the scrape
            log.warning("metrics: could not read the job queue (%s)", type(exc).__name__)
    up.add_metric((), 0 if snapshot is None else 1)
    if snapshot is None:
        return [up]
    queued = GaugeMetricFamily(
        _name("jobs_queued"), "Jobs due and waiting for a worker, by kind", labels=("kind",)
    )
    scheduled = GaugeMetricFamily(
        _name("jobs_scheduled"), "Jobs queued to run later (not yet due), by kind", labels=("kind",)
    )
    picked = GaugeMetricFamily(
        _name("jobs_picked"), "Jobs being worked on, by kind", labels=("kind",)
    )
    oldest = GaugeMetricFamily(
        _name("jobs_oldest_queued_seconds"),
        "How long the longest-waiting due job has been due, by kind (0 when none waits)",
        labels=("kind",),
    )
    for kind in snapshot.kinds:
        queued.add_metric((kind.kind,), kind.queued)
        scheduled.add_metric((kind.kind,), kind.scheduled)
        picked.add_metric((kind.kind,), kind.picked)
        oldest.add_metric((kind.kind,), kind.oldest_queued_seconds)
    workers = GaugeMetricFamily(
        _name("workers_live"), "Workers whose heartbeat is recent (any host)"
    )
    workers.add_metric((), snapshot.live_workers)
    return [up, queued, scheduled, picked, oldest, workers]
