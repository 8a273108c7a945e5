"""Worker visibility (issue 18), with real processes: a web instance that runs no worker warns
once when jobs wait with no live worker and /readyz shows the queue; a worker process beats
its heartbeat, runs the job, and takes its row away when it stops."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest

from server.config import ConfigError, load_settings
from tests.processes import ServerProcess
from tests.waits import eventually

WARNING = "no worker is running"


@pytest.fixture
async def web(database_url, redis_server_url, redis_prefix, tmp_path) -> AsyncIterator:
    server = ServerProcess(
        database_url,
        redis_server_url,
        redis_prefix,
        RUN_WORKER="no",
        QUEUE_CHECK_SECONDS="0.2",
        DATA_DIR=str(tmp_path),
        LOG_LEVEL="DEBUG",  # each look at the queue is a debug line: the test counts them
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def start_worker(web: ServerProcess) -> asyncio.subprocess.Process:
    """``python -m server worker`` with the web instance's settings (tests/processes.py)."""
    worker = ServerProcess(web.env["DATABASE_URL"], None, web.env["REDIS_PREFIX"], "worker")
    worker.env = {**web.env, "MIGRATE_ON_START": "false", "WORKER_BEAT_SECONDS": "0.2"}
    return (await worker.spawn()).proc


def count(web: ServerProcess, text: str) -> int:
    return sum(text in line for line in web.log)


async def test_jobs_with_no_worker_are_warned_about_once_and_run_when_a_worker_starts(
    web, database_url
):
    async with aiohttp.ClientSession(base_url=web.url) as http:

        async def jobs() -> dict:
            async with http.get("/readyz") as response:
                assert response.status == 200  # no worker is a warning, not "not ready"
                body = await response.json()
            assert body["status"] == "ready"
            return body["jobs"]

        async with http.post(
            "/api/auth/signup",
            json={"email": "ana@example.com", "password": "x" * 12, "roles": ["student"]},
        ) as response:
            token = (await response.json())["token"]
        auth = {"Authorization": f"Bearer {token}"}
        async with http.post("/api/me/export", headers=auth) as response:
            assert response.status == 202

        waiting = await jobs()
        assert (waiting["queued"], waiting["workers"]) == (1, 0)
        assert waiting["oldest_queued_seconds"] >= 0
        assert [(k["kind"], k["queued"]) for k in waiting["kinds"]] == [("account_export", 1)]
        assert "account_export (1 due, oldest" in waiting["warning"]
        assert "python -m server worker" in waiting["warning"]

        warning = await web.logged(WARNING)
        assert "WARNING" in warning
        assert "account_export" in warning
        assert "RUN_WORKER=yes" in warning
        # Looked at the queue three more times since, and said nothing more.
        looks = count(web, "job queue: ")
        await eventually(lambda: count(web, "job queue: ") >= looks + 3, 20, "three more looks")
        assert count(web, WARNING) == 1

        worker = await start_worker(web)
        try:
            await eventually(lambda: _workers(jobs, 1), 30, "/readyz showed the worker")

            async def exported() -> bool:
                async with http.get("/api/me/export/status", headers=auth) as response:
                    return (await response.json())["status"] == "ready"

            await eventually(exported, 60, "the export was built")
            conn = await asyncpg.connect(database_url)
            try:
                row = await conn.fetchrow("SELECT * FROM worker_heartbeats")
                assert row["pid"] == worker.pid
                assert "account_export" in row["kinds"]

                async def beat_again() -> bool:
                    again = await conn.fetchval("SELECT beat_at FROM worker_heartbeats")
                    return again > row["beat_at"]

                await eventually(beat_again, 20, "the worker beat again")
                assert (await jobs())["warning"] is None
            finally:
                await conn.close()
        finally:
            worker.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(worker.wait(), 30) == 0

        # A stopped worker takes its row away: none is live at once. The built export's expiry
        # is queued (for EXPORT_TTL_HOURS later) with no worker to run it: warned again.
        after = await jobs()
        assert after["workers"] == 0
        assert [k["kind"] for k in after["kinds"]] == ["account_export_expire"]
        await eventually(lambda: count(web, WARNING) == 2, 20, "the second warning")
        assert "account_export_expire" in [line for line in web.log if WARNING in line][-1]


async def _workers(jobs, expected: int) -> bool:
    return (await jobs())["workers"] == expected


def test_a_worker_must_beat_more_often_than_it_counts_as_gone():
    env = {"SECRET_KEY": "k" * 40, "WORKER_HEARTBEAT_SECONDS": "3"}
    with pytest.raises(ConfigError, match=r"WORKER_BEAT_SECONDS \(3\) must be less than"):
        load_settings({**env, "WORKER_BEAT_SECONDS": "3"})
    assert load_settings({**env, "WORKER_BEAT_SECONDS": "2.5"}).worker_beat_seconds == 2.5
    assert load_settings(env).worker_beat_seconds == 1  # a third of it, by default
    assert load_settings({"SECRET_KEY": "k" * 40}).worker_beat_seconds == 5
