"""Prometheus metrics for one instance (issue 18): ``GET /metrics``, docs/operations.md.

Two kinds of families, kept apart so the hot paths pay as little as possible:

- **Counted where it happens** (``families.Metrics``): HTTP requests and their latency (in
  plain numbers, ``http.HttpRecorder``: it runs on every request), chat messages stored and
  the group commit's batch sizes, bus lag, rate-limit refusals, job outcomes and
  durations, upload grants and completions. Each app owns one ``Metrics`` (``keys.METRICS``)
  with a ``CollectorRegistry`` of its own, never prometheus_client's global one: the tests
  make an app per test in one process, and two web apps in one process must not add up. A
  component that counts is handed the app's ``Metrics`` by whoever builds it from the app
  (``create_sio``, the chat writer's cleanup context, ``token_bucket``, ``worker_ctx``, the
  uploads routes); built without one (a test), it counts into ``UNCOUNTED``, which nothing
  serves, so counting code has no "is there a registry" branch. A standalone worker
  (``python -m server worker``) has a ``Metrics`` of its own, served on
  WORKER_METRICS_PORT by ``worker_listener``.
- **Read at scrape time** (``collectors``): what the app already knows (open sockets, the
  database pool, the bus's own counters and queue, the job queue), turned into families
  while ``/metrics`` answers, so it costs nothing between scrapes.
"""
