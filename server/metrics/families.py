"""The families counted where things happen, one set per app (see the package's docstring).

Names are in the ``rizeos_`` namespace; docs/operations.md lists every family with its
labels and meaning. Labels only ever take values from a fixed set (route templates, event
names, job kinds, limit names, upload purposes), never from a request's raw path or a user.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

from server.metrics.http import HttpRecorder

NAMESPACE = "rizeos"

# No ``<name>_created`` series (each counter's start time, for OpenMetrics): one more series
# per labelled child in every scrape, which the text format's users do not read. A setting
# of the library, so for the whole process: prometheus-client has no other user here.
disable_created_metrics()
# Sends per ``send_messages`` call: one when quiet, up to MAX_BATCH (256) under load.
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
# Seconds from an emit's publish on one instance to its arrival on another (same Redis).
LAG_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)

JOB_OUTCOMES = ("success", "retry", "failed")
# Seconds a job's handler runs: a mail or a deadline in milliseconds, an export or a
# resume's enrichment in seconds (ENRICHMENT_TIMEOUT_SECONDS is 30 by default).
JOB_DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class Metrics:
    """One app's registry and the families its components count into."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        # Counted on every request: plain counts read at scrape time (http.py), not
        # prometheus_client's locked values, ~1 µs instead of ~5 µs a request.
        self.http = HttpRecorder(r)
        self.chat_messages_stored = Counter(
            "chat_messages_stored",
            "New chat messages committed by this instance's writer (retries not counted)",
            namespace=NAMESPACE,
            registry=r,
        )
        self.chat_commit_batch_size = Histogram(
            "chat_commit_batch_size",
            "Sends stored per group commit (one send_messages call) of the chat writer",
            namespace=NAMESPACE,
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.bus_lag = Histogram(
            "bus_lag_seconds",
            "Redis bus: receive time minus the publish timestamp of the oldest emit in each "
            "message received (wall clocks of two hosts: keep them in NTP sync)",
            namespace=NAMESPACE,
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.rate_limit_refusals = Counter(
            "rate_limit_refusals",
            "Actions refused by a rate limit, by limit name",
            ("limit",),
            namespace=NAMESPACE,
            registry=r,
        )
        self.job_outcomes = Counter(
            "job_outcomes",
            "Background jobs run by this process's worker, by kind and outcome "
            "(success, retry, failed)",
            ("kind", "outcome"),
            namespace=NAMESPACE,
            registry=r,
        )
        self.job_duration = Histogram(
            "job_duration_seconds",
            "Time this process's worker spent running each job, whatever its outcome, by kind",
            ("kind",),
            namespace=NAMESPACE,
            buckets=JOB_DURATION_BUCKETS,
            registry=r,
        )
        self.upload_grants = Counter(
            "upload_grants",
            "Upload URLs granted, by purpose",
            ("purpose",),
            namespace=NAMESPACE,
            registry=r,
        )
        self.upload_completions = Counter(
            "upload_completions",
            "Uploads verified, by purpose and outcome (complete, or failed: the stored "
            "object did not match its declaration)",
            ("purpose", "outcome"),
            namespace=NAMESPACE,
            registry=r,
        )


# What a component counts into when nobody handed it its app's Metrics: never served.
UNCOUNTED = Metrics()
