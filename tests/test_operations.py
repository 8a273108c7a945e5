"""Operations: health and readiness, migrations, settings, request logging, shutdown, and
answering "retry later" while the database is unreachable."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from server import loop
from server.app import create_app
from server.config import ConfigError, load_settings
from server.db import Database, apply_migrations, migration_files
from server.errors import OUTAGE_DETAIL, RETRY_AFTER_S
from tests.client import raw_request
from tests.conftest import _with_database
from tests.messaging.live import ChatSocket, hiring
from tests.outages import database_unreachable
from tests.processes import free_port
from tests.waits import eventually, wait_for_lock_waiters

ROOT = Path(__file__).resolve().parent.parent


async def test_healthz_and_readyz_answer_when_ready(api):
    assert await api.get("/healthz", expect=200) == {"status": "ok", "pending_migrations": []}
    assert (await api.get("/readyz", expect=200))["status"] == "ready"


@pytest.fixture
async def empty_database_url(pg_server_url):
    name = "rizeos_empty_" + os.urandom(6).hex()
    admin = await asyncpg.connect(_with_database(pg_server_url, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(pg_server_url, name)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def test_readyz_is_503_while_migrations_are_pending(
    settings, empty_database_url, aiohttp_client
):
    from dataclasses import replace

    app = create_app(replace(settings, database_url=empty_database_url, migrate_on_start=False))
    client = await aiohttp_client(app)
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "migrations pending"
    assert body["pending_migrations"] == [version for version, _ in migration_files()]


async def test_two_instances_migrating_at_once_apply_each_migration_exactly_once(
    empty_database_url,
):
    first = await Database.connect(empty_database_url, 1, 1)
    second = await Database.connect(empty_database_url, 1, 1)
    try:
        async with first.connection() as a, second.connection() as b:
            applied = await asyncio.gather(
                apply_migrations(a, first.q), apply_migrations(b, second.q)
            )
            rows = await a.fetch("SELECT version FROM schema_migrations ORDER BY version")
            again = await apply_migrations(a, first.q)
    finally:
        await first.close()
        await second.close()
    everything = [version for version, _ in migration_files()]
    assert sorted(applied[0] + applied[1]) == everything
    assert [r["version"] for r in rows] == everything
    assert again == []


def test_bad_settings_are_refused_with_the_variable_named():
    cases = {
        "PORT": "eighty",
        "DATABASE_URL": "mysql://x",
        "LOG_LEVEL": "LOUD",
        "COOKIE_SECURE": "perhaps",
        "DB_POOL_MAX": "0",
        "SEND_RATE_PER_SECOND": "0",
        "SEND_BURST": "many",
        "SEND_BATCH_INTERVAL_MS": "60000",
        "EVENT_LOOP": "trio",
        "LOG_FORMAT": "yaml",
        "WORKER_BEAT_SECONDS": "0",
        "QUEUE_CHECK_SECONDS": "soon",
    }
    for name, value in cases.items():
        env = {"SECRET_KEY": "k" * 40, name: value}
        with pytest.raises(ConfigError, match=name):
            load_settings(env)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"DATABASE_URL": "postgresql://localhost/x"})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"DATABASE_URL": "postgresql://localhost/x", "SECRET_KEY": "short"})


def test_settings_defaults_and_overrides(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path), "PORT": "9001"})
    assert settings.port == 9001
    assert settings.embedded_database
    assert settings.public_url == "http://localhost:9001"
    assert len(settings.secret_key) >= 32
    # the generated key is kept, so sessions survive a restart
    assert load_settings({"DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key
    assert settings.event_loop == "uvloop"  # a dependency, so the default everywhere we run
    assert load_settings({"DATA_DIR": str(tmp_path), "EVENT_LOOP": "asyncio"}).event_loop == (
        "asyncio"
    )


@pytest.mark.parametrize("kind", ["uvloop", "asyncio"])
def test_processes_run_on_the_chosen_event_loop(kind):
    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert loop.run(kind, loop_module()).split(".")[0] == kind


def test_server_refuses_to_start_on_a_bad_setting():
    env = {**os.environ, "PORT": "not-a-port"}
    result = subprocess.run(
        [sys.executable, "-m", "server"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "configuration error: PORT must be an integer" in result.stderr


async def test_every_request_is_logged_once_with_id_method_path_status_and_duration(api, caplog):
    caplog.set_level(logging.INFO, logger="rizeos.access")
    response = await api.client.get("/api/me", headers={"X-Request-ID": "trace-abc-123"})
    assert response.status == 401
    assert response.headers["X-Request-ID"] == "trace-abc-123"
    lines = [r.getMessage() for r in caplog.records if r.name == "rizeos.access"]
    assert len(lines) == 1
    line = lines[0]
    for part in ("request_id=trace-abc-123", "method=GET", "path=/api/me", "status=401"):
        assert part in line
    assert "duration_ms=" in line


async def test_server_process_serves_and_shuts_down_cleanly_on_sigterm(database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "s" * 40,
        "DATA_DIR": str(tmp_path),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with aiohttp.ClientSession() as http:
            await eventually(lambda: _ready(http, port), 30, "the server became ready")
            # The app's HTTP settings reach this server too: an over-long request line is a
            # 414 problem, and one past what the parser reads is one warning line.
            line = b"GET /api/jobs?cursor=" + b"x" * 10_000 + b" HTTP/1.1\r\n"
            status, headers, _ = await raw_request("127.0.0.1", port, line)
            assert (status, headers["content-type"]) == (414, "application/problem+json")
            line = b"GET /api/jobs?cursor=" + b"x" * 70_000 + b" HTTP/1.1\r\n"
            assert (await raw_request("127.0.0.1", port, line))[0] == 400
            # A request in flight when SIGTERM comes is finished before the process exits.
            # The sign-up is held on a lock of this test's until the server has begun
            # shutting down (it stops listening first), so it is certainly in flight then.
            holder = await asyncpg.connect(database_url)
            try:
                async with holder.transaction():
                    await holder.execute("LOCK TABLE users IN SHARE MODE")
                    signup = asyncio.ensure_future(
                        http.post(
                            f"http://127.0.0.1:{port}/api/auth/signup",
                            json={
                                "email": "late@example.com",
                                "password": "x" * 12,
                                "roles": ["student"],
                            },
                        )
                    )
                    await wait_for_lock_waiters(holder, 1)
                    proc.send_signal(signal.SIGTERM)
                    await eventually(lambda: _refused(port), 30, "the server stopped listening")
            finally:
                await holder.close()
            response = await signup
            assert response.status == 201
        stdout, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
        output = stdout.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert "database pool closed" in output
    assert "refused by the HTTP parser" in output
    assert "LineTooLong" not in output  # the parser's traceback


# -- outages: PostgreSQL unreachable --------------------------------------------------------


def assert_unavailable_problem(response: aiohttp.ClientResponse, problem: dict) -> None:
    assert response.status == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert problem["type"] == "/docs/problems#unavailable"
    assert problem["status"] == 503


async def test_while_the_database_is_unreachable_calls_answer_retry_later_and_change_nothing(
    api, db, database_url, caplog
):
    _, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    send = {"conversation_id": conversation_id, "content": "during", "client_msg_id": "cut-1"}
    url = str(api.client.make_url("")).rstrip("/")
    sock = await ChatSocket.connect(url, h.recruiter)
    try:
        async with database_unreachable(database_url):
            response = await api.client.get("/api/me", headers=h.recruiter.headers)
            assert_unavailable_problem(response, await response.json(content_type=None))
            response = await api.client.post(
                "/api/organizations",
                json={"name": "Outage Inc", "type": "company"},
                headers=h.admin.headers,
            )
            assert_unavailable_problem(response, await response.json(content_type=None))
            response = await api.client.post(
                f"/api/conversations/{conversation_id}/messages",
                json={"content": "over REST", "client_msg_id": "cut-2"},
                headers=h.recruiter.headers,
            )
            assert_unavailable_problem(response, await response.json(content_type=None))
            # A page: the HTML error page, with the same status and header.
            response = await api.client.get("/jobs")
            assert response.status == 503
            assert response.content_type == "text/html"
            assert response.headers["Retry-After"] == str(RETRY_AFTER_S)
            assert "Service unavailable" in await response.text()
            # The page a 503's type links to is served even to a logged-in browser.
            cookie = {"Cookie": f"rizeos_session={h.recruiter.token}"}
            response = await api.client.get("/docs/problems", headers=cookie)
            assert response.status == 200
            ack = await sock.call("send", send)
            assert ack == {"error": {"code": "unavailable", "message": OUTAGE_DETAIL}}
        # Back: the pool connects again on its own, and the retries succeed.
        await api.get("/api/me", as_=h.recruiter, expect=200)
        ack = await sock.call("send", send)
        assert ack["ok"] and ack["created"], ack  # nothing was stored the first time
        history = await api.get(
            f"/api/conversations/{conversation_id}/messages", as_=h.recruiter, expect=200
        )
        assert "cut-2" not in [m["client_msg_id"] for m in history["items"]]
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT count(*) FROM organizations") == 1
    finally:
        await sock.close()
    outages = [r for r in caplog.records if "answered unavailable" in r.getMessage()]
    assert outages and all(r.levelno == logging.WARNING and not r.exc_info for r in outages)
    assert "unhandled error" not in caplog.text  # no 500 on the way
    assert "handler failed" not in caplog.text  # no `internal` ack


async def test_a_request_whose_connection_drops_mid_query_answers_503_and_writes_nothing(
    api, database_url
):
    owner = await api.sign_up(["employer"])
    locker = await asyncpg.connect(database_url)
    try:
        async with locker.transaction():
            # The request's INSERT waits on this lock, so its backend is cut mid-statement.
            await locker.execute("LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE")
            request = asyncio.ensure_future(
                api.client.post(
                    "/api/organizations",
                    json={"name": "Cut Inc", "type": "company"},
                    headers=owner.headers,
                )
            )
            await wait_for_lock_waiters(locker, 1)
            await locker.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            response = await request
            assert_unavailable_problem(response, await response.json(content_type=None))
        assert await locker.fetchval("SELECT count(*) FROM organizations") == 0
    finally:
        await locker.close()
    await api.company(owner, name="Cut Inc")  # the retry goes through


async def _ready(http: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


async def _refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except (ConnectionRefusedError, ConnectionResetError):
        # Reset: the connection was still queued when the listening socket closed.
        return True
    writer.close()
    await writer.wait_closed()
    return False


async def test_readyz_answers_503_when_the_database_does_not_answer(client, database_url):
    # Connections are accepted but the read of the applied migrations waits on a lock (a
    # migration running, a frozen server): not ready, answered rather than hanging.
    blocker = await asyncpg.connect(database_url)
    try:
        async with blocker.transaction():
            await blocker.execute("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE")
            async with asyncio.timeout(60):  # a hang guard, not a measure
                response = await client.get("/readyz")
                body = await response.json()
    finally:
        await blocker.close()
    assert response.status == 503, body
    assert body["status"] == "database unavailable: TimeoutError"
    # The lock gone, the same instance is ready again.
    response = await client.get("/readyz")
    assert response.status == 200
    assert (await response.json())["status"] == "ready"


async def test_readyz_stays_ready_when_the_job_queue_cannot_be_read(client, database_url):
    # The queue is a detail of /readyz: a lock on its table (a migration, a VACUUM FULL)
    # must not hang every instance's health check and take them all out of the balancer.
    blocker = await asyncpg.connect(database_url)
    try:
        async with blocker.transaction():
            await blocker.execute("LOCK TABLE pgqueuer IN ACCESS EXCLUSIVE MODE")
            async with asyncio.timeout(60):  # a hang guard, not a measure
                response = await client.get("/readyz")
                body = await response.json()
    finally:
        await blocker.close()
    assert response.status == 200, body
    assert body["status"] == "ready"
    assert body["jobs"] is None
    response = await client.get("/readyz")
    assert (await response.json())["jobs"] is not None
