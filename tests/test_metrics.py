"""GET /metrics after real traffic (issue 18): two in-process instances sharing PostgreSQL and
Redis, real Socket.IO clients, a chat message from one instance's user to the other's, a
rate-limit refusal, an upload, a data export run by the real job worker; each instance's
/metrics read over HTTP and parsed with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from server import keys
from server.app import create_app
from server.config import ConfigError, Settings, load_settings
from server.realtime.packets import (
    NODE_MESSAGE_SEPARATOR,
    event_name,
    first_sent_at,
    node_message,
    parse_node_message,
)
from server.worker import JobResources, Worker
from tests.exports.conftest import ready
from tests.messaging.live import hiring, sockets
from tests.scrapes import Scrape
from tests.waits import eventually

DOCS = Path(__file__).resolve().parent.parent / "docs"

MESSAGES_ROUTE = "/api/conversations/{conversation_id}/messages"
TOKEN = "scrape-token-" + "s" * 20


async def scrape(client, token: str | None = None) -> Scrape:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return Scrape(await response.text())


@pytest.fixture
def settings(settings: Settings, redis_server_url: str, redis_prefix: str) -> Settings:
    # Sends: a burst of two, then hardly any, so a third send is refused at once. The worker
    # is started by the test itself, once the queued job has been seen.
    return dataclasses.replace(
        settings,
        redis_url=redis_server_url,
        redis_prefix=redis_prefix,
        run_worker="no",
        send_burst=2,
        send_rate_per_second=0.001,
    )


@pytest.fixture
async def other(settings: Settings, aiohttp_client):
    """Instance B: a second app on the same database and Redis, in this process."""
    return await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())


@asynccontextmanager
async def running_worker(app) -> AsyncIterator[Worker]:
    """The job host as the web process runs it (``worker_ctx``): counting into the app's
    metrics."""
    resources = JobResources(app[keys.DB], app[keys.STORAGE], app[keys.SETTINGS])
    worker = Worker(app[keys.DB].dsn, resources, app[keys.METRICS])
    task = asyncio.create_task(worker.run())
    try:
        await eventually(lambda: worker.manager is not None, what="the worker starts")
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, 15)


def url_of(client) -> str:
    return str(client.make_url("/")).rstrip("/")


async def test_metrics_show_live_values_of_every_family_per_instance(api, db, client, other):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    messages = f"/api/conversations/{conversation_id}/messages"
    async with sockets((url_of(client), h.recruiter), (url_of(other), h.candidate)) as socks:
        recruiter, candidate = socks
        # A message from A's user to B's: stored by A, fanned out over Redis, delivered by B.
        await recruiter.send(conversation_id, "over the bus")
        await api.post(messages, {"content": "over REST"}, as_=h.recruiter, expect=201)
        await candidate.wait_for(2, "message")
        # The burst (two) is spent: the third send is refused.
        await api.post(messages, {"content": "one too many"}, as_=h.recruiter, expect=429)
        await api.upload(h.candidate, "message_attachment", b"%PDF offer letter")
        await api.post("/api/me/export", as_=h.candidate, expect=202)
        a, b = await scrape(client), await scrape(other)

    # HTTP, by route template: the raw path (with its id) is never a label.
    assert a.value("rizeos_http_requests_total", route=MESSAGES_ROUTE, status="201") == 1
    assert a.value("rizeos_http_requests_total", route=MESSAGES_ROUTE, status="429") == 1
    assert a.value("rizeos_http_request_duration_seconds_count", route=MESSAGES_ROUTE) == 2
    assert (
        a.value("rizeos_http_request_duration_seconds_bucket", route=MESSAGES_ROUTE, le="+Inf") == 2
    )
    assert not [s for s in a.samples if conversation_id in str(s.labels)]
    assert b.value("rizeos_http_requests_total", route=MESSAGES_ROUTE, status="201") is None
    # Sockets: the recruiter on A, the candidate on B.
    assert a.value("rizeos_socketio_connected_sockets", namespace="/chat") == 1
    assert b.value("rizeos_socketio_connected_sockets", namespace="/chat") == 1
    assert a.value("rizeos_socketio_connected_sockets", namespace="/notifications") == 0
    # Chat: both messages stored by A, one group commit each; B delivered both to its socket.
    assert a.value("rizeos_chat_messages_stored_total") == 2
    assert b.value("rizeos_chat_messages_stored_total") == 0
    assert a.value("rizeos_chat_commit_batch_size_count") == 2
    assert a.value("rizeos_chat_commit_batch_size_sum") == 2
    delivered = {"namespace": "/chat", "event": "message"}
    assert b.value("rizeos_socketio_events_delivered_total", **delivered) == 2
    # The bus: A published, B received and measured the lag.
    assert a.value("rizeos_bus_published_total") >= 2
    assert b.value("rizeos_bus_received_total") >= 2
    assert b.value("rizeos_bus_lag_seconds_count") >= 1
    assert a.value("rizeos_bus_dropped_total", kind="reliable") == 0
    # The refusal, by limit name.
    assert a.value("rizeos_rate_limit_refusals_total", limit="send") == 1
    assert b.value("rizeos_rate_limit_refusals_total", limit="send") == 0
    # The upload.
    assert a.value("rizeos_upload_grants_total", purpose="message_attachment") == 1
    completed = {"purpose": "message_attachment", "outcome": "complete"}
    assert a.value("rizeos_upload_completions_total", **completed) == 1
    # The queue as PostgreSQL has it (the same on both), the export waiting, no worker yet.
    for scraped in (a, b):
        assert scraped.value("rizeos_job_queue_up") == 1
        assert scraped.value("rizeos_jobs_queued", kind="account_export") == 1
        assert scraped.value("rizeos_jobs_oldest_queued_seconds", kind="account_export") >= 0
        assert scraped.value("rizeos_workers_live") == 0
    # The pool: open, within its limit.
    pool = a.value("rizeos_db_pool_connections", state="in_use") + a.value(
        "rizeos_db_pool_connections", state="idle"
    )
    assert pool >= 1
    assert a.value("rizeos_db_pool_max_connections") == db.pool.get_max_size()
    for family in ("rizeos_http_requests", "rizeos_job_outcomes", "rizeos_bus_lag_seconds"):
        assert a.families[family].documentation, f"{family} has no help text"

    async with running_worker(client.app):
        await ready(api, h.candidate)
    a = await scrape(client)
    assert a.value("rizeos_job_outcomes_total", kind="account_export", outcome="success") == 1
    assert a.value("rizeos_job_outcomes_total", kind="account_export", outcome="failed") == 0
    assert a.value("rizeos_job_duration_seconds_count", kind="account_export") == 1
    assert a.value("rizeos_job_duration_seconds_sum", kind="account_export") > 0
    assert not a.value("rizeos_jobs_queued", kind="account_export")

    async def socket_gone() -> bool:
        gone = await scrape(client)
        return gone.value("rizeos_socketio_connected_sockets", namespace="/chat") == 0

    await eventually(socket_gone, what="A to count its closed socket out")
    # What docs/operations.md lists and the Grafana dashboard plots is what is served.
    served = set(a.families) | {sample.name for sample in a.samples}
    documented = set(re.findall(r"`(rizeos_\w+)`", (DOCS / "operations.md").read_text()))
    dashboard = (DOCS / "grafana" / "rizeos.json").read_text()
    plotted = set(re.findall(r"rizeos_\w+", json.dumps(json.loads(dashboard)["panels"])))
    assert documented - served == set()
    assert plotted - served == set()
    assert {f for f in a.families if f.startswith("rizeos_")} - {
        re.sub("_total$", "", name) for name in documented
    } == set()


async def test_a_database_that_does_not_answer_is_reported_not_a_failed_scrape(
    client, db, database_url
):
    # Another session holds the queue's table: the queue read waits, and is given up.
    blocker = await asyncpg.connect(database_url)
    try:
        async with blocker.transaction():
            await blocker.execute("LOCK TABLE pgqueuer IN ACCESS EXCLUSIVE MODE")
            scraped = await scrape(client)  # after QUEUE_READ_TIMEOUT_S
    finally:
        await blocker.close()
    assert scraped.value("rizeos_job_queue_up") == 0
    assert scraped.value("rizeos_workers_live") is None
    # Everything else is still there.
    assert scraped.value("rizeos_db_pool_max_connections") == db.pool.get_max_size()
    assert (await scrape(client)).value("rizeos_job_queue_up") == 1


async def test_with_metrics_token_set_a_scrape_needs_it(settings, aiohttp_client):
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN))
    client = await aiohttp_client(app, cookie_jar=aiohttp.DummyCookieJar())
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN}):
        response = await client.get("/metrics", headers=headers)
        assert response.status == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "METRICS_TOKEN" in await response.text()
    scraped = await scrape(client, TOKEN)
    assert scraped.value("rizeos_job_queue_up") == 1


async def test_without_metrics_token_anyone_may_scrape(client):
    assert (await scrape(client)).value("rizeos_job_queue_up") == 1


def test_bus_messages_read_alike_with_and_without_a_publish_stamp():
    packet = '2/chat,["message",{"seq":1}]'
    stamped = node_message("/chat", True, ["u1", "u2"], packet, sent_at=1718000000.5)
    unstamped = node_message("/chat", True, ["u1", "u2"], packet)  # an older instance's
    assert parse_node_message(stamped) == parse_node_message(unstamped)
    assert parse_node_message(stamped) == ("/chat", True, ["u1", "u2"], packet)
    assert first_sent_at(stamped + NODE_MESSAGE_SEPARATOR + unstamped) == 1718000000.5
    assert first_sent_at(unstamped + NODE_MESSAGE_SEPARATOR + stamped) is None
    assert event_name(packet) == "message"


def test_metrics_token_setting_is_read_and_checked(tmp_path):
    env = {"DATA_DIR": str(tmp_path)}
    assert load_settings(env).metrics_token is None
    assert load_settings({**env, "METRICS_TOKEN": TOKEN}).metrics_token == TOKEN
    assert TOKEN not in repr(load_settings({**env, "METRICS_TOKEN": TOKEN}))
    for bad in ("short", "has a space in it ok", "tab\there-and-long-enough"):
        with pytest.raises(ConfigError, match="METRICS_TOKEN"):
            load_settings({**env, "METRICS_TOKEN": bad})


async def test_a_metrics_token_that_is_not_text_is_refused_not_a_server_error(
    settings, aiohttp_client
):
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN))
    client = await aiohttp_client(app)
    # Raw bytes: aiohttp's client would not send a header that is not UTF-8.
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(
        b"GET /metrics HTTP/1.1\r\nHost: metrics\r\nAuthorization: Bearer \xff\xfe"
        + TOKEN.encode()
        + b"\r\nConnection: close\r\n\r\n"
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    assert status_line.startswith(b"HTTP/1.1 401 "), status_line


async def test_file_responses_are_counted_with_the_status_they_are_sent_with(client):
    # A file's status (not found, not modified) is decided when it is sent, after the
    # handler has returned its response.
    missing = await client.get("/static/no-such-file.css")
    assert missing.status == 404
    first = await client.get("/static/manifest.webmanifest")
    assert first.status == 200
    again = await client.get(
        "/static/manifest.webmanifest",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert again.status == 304
    scraped = await scrape(client)
    counted = {
        s.labels["status"]: s.value
        for s in scraped.samples
        if s.name == "rizeos_http_requests_total" and s.labels["route"] == "/static"
    }
    assert counted == {"200": 1, "304": 1, "404": 1}
    assert scraped.value("rizeos_http_request_duration_seconds_count", route="/static") == 3
