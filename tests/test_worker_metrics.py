"""A worker process's own metrics (issue 18): ``python -m server worker`` with
WORKER_METRICS_PORT serves /metrics (METRICS_TOKEN required when set) and /healthz; a job it
ran shows in its outcomes and durations, scraped over HTTP and parsed with
prometheus_client's parser; SIGTERM stops the listener with the worker."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import aiohttp
import pytest

from server.config import ConfigError, Settings, load_settings
from tests.exports.conftest import ready
from tests.processes import ServerProcess, free_port
from tests.scrapes import Scrape
from tests.waits import eventually

DOCS = Path(__file__).resolve().parent.parent / "docs"
TOKEN = "worker-scrape-token-" + "w" * 12
SUCCESS = {"kind": "account_export", "outcome": "success"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No worker in the test's app: the job is the worker process's."""
    return dataclasses.replace(settings, run_worker="no")


async def test_a_worker_process_serves_its_job_outcomes_on_its_metrics_port(
    api, settings, database_url, redis_server_url, redis_prefix
):
    ana = await api.sign_up(["student"])
    await api.post("/api/me/export", as_=ana, expect=202)

    port = free_port()
    worker = ServerProcess(
        database_url,
        redis_server_url,
        redis_prefix,
        command="worker",
        WORKER_METRICS_PORT=str(port),
        METRICS_TOKEN=TOKEN,
        MIGRATE_ON_START="false",
        # The app's storage, secret and address: the export it builds is the app's to serve.
        DATA_DIR=str(settings.data_dir),
        SECRET_KEY=settings.secret_key,
        PUBLIC_URL=settings.public_url,
        LOG_LEVEL="INFO",  # for the "worker metrics at" line
    )
    await worker.spawn()
    try:
        await worker.logged(rf"worker metrics at http://127.0.0.1:{port}/metrics")
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:

            async def scrape() -> Scrape:
                async with http.get("/metrics", headers=bearer) as response:
                    assert response.status == 200, await response.text()
                    assert response.headers["Content-Type"].startswith("text/plain; version=")
                    return Scrape(await response.text())

            async def counted() -> Scrape | None:
                assert worker.proc.returncode is None, "the worker process exited"
                scraped = await scrape()
                return scraped if scraped.value("rizeos_job_outcomes_total", **SUCCESS) else None

            scraped = await eventually(counted, 30, "the worker counted the export", every=0.1)
            await ready(api, ana)

            assert scraped.value("rizeos_job_outcomes_total", **SUCCESS) == 1
            failed = {"kind": "account_export", "outcome": "failed"}
            assert scraped.value("rizeos_job_outcomes_total", **failed) == 0
            assert scraped.value("rizeos_job_duration_seconds_count", kind="account_export") == 1
            # The worker's pool (WORKER_CONCURRENCY + 1), and the queue as PostgreSQL has it:
            # the export done, its expiry scheduled for later, this worker live.
            assert scraped.value("rizeos_db_pool_max_connections") == 3
            assert scraped.value("rizeos_db_pool_connections", state="idle") is not None
            assert scraped.value("rizeos_job_queue_up") == 1
            assert not scraped.value("rizeos_jobs_queued", kind="account_export")
            assert scraped.value("rizeos_jobs_scheduled", kind="account_export_expire") == 1
            assert scraped.value("rizeos_workers_live") == 1
            # No sockets in a worker: those families are the web instances'.
            assert not [name for name in scraped.families if "socketio" in name]
            documented = set(re.findall(r"`(rizeos_\w+)`", (DOCS / "operations.md").read_text()))
            served = {f for f in scraped.families if f.startswith("rizeos_")}
            assert served - {re.sub("_total$", "", name) for name in documented} == set()

            for headers in ({}, {"Authorization": "Bearer wrong-token"}):
                async with http.get("/metrics", headers=headers) as response:
                    assert response.status == 401, headers
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
            async with http.get("/healthz") as response:
                assert response.status == 200
                assert await response.json() == {"status": "ok"}
    finally:
        await worker.stop()
    assert worker.proc.returncode == 0
    assert any("worker stopped" in line for line in worker.log)
    # The listener went with it.
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz")


def test_worker_metrics_port_is_optional_and_checked_like_port(tmp_path):
    env = {"DATA_DIR": str(tmp_path)}
    assert load_settings(env).worker_metrics_port is None
    assert load_settings({**env, "WORKER_METRICS_PORT": ""}).worker_metrics_port is None
    assert load_settings({**env, "WORKER_METRICS_PORT": "9100"}).worker_metrics_port == 9100
    for bad in ("0", "65536", "nine", "91.5"):
        with pytest.raises(ConfigError, match="WORKER_METRICS_PORT"):
            load_settings({**env, "WORKER_METRICS_PORT": bad})
    with pytest.raises(ConfigError, match=r"WORKER_METRICS_PORT must differ from PORT \(8080\)"):
        load_settings({**env, "WORKER_METRICS_PORT": "8080"})
