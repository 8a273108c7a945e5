"""The worker as its own process (`python -m server worker`): killed mid-job (SIGKILL) it
loses nothing and the next worker completes the job exactly once; its events reach the
user live through Redis and a web instance."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import pytest

from server.config import Settings
from tests.enrichment.conftest import ADA_SKILLS, pdf_resume, upload_resume, wait_finished
from tests.notifications.conftest import NS, Inbox
from tests.processes import ServerProcess
from tests.sockets import connect_socket

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No worker in the test's app: the workers are the processes this test starts."""
    return dataclasses.replace(settings, run_worker="no")


async def start_worker(settings: Settings, redis_url: str, prefix: str, **env: str):
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "worker",
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": settings.database_url or "",
            "SECRET_KEY": settings.secret_key,
            "PUBLIC_URL": settings.public_url,
            "DATA_DIR": str(settings.data_dir),  # the local storage the test uploaded to
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": prefix,
            "MIGRATE_ON_START": "false",
            "WORKER_HEARTBEAT_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
            **env,
        },
    )


async def status_of(db, enrichment_id: str) -> tuple[str, int]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, attempts FROM enrichment_jobs WHERE id = $1::uuid", enrichment_id
        )
    return row["status"], row["attempts"]


async def test_a_job_survives_a_killed_worker_and_completes_once(
    api, db, settings, redis_server_url, redis_prefix
):
    ada = await api.sign_up(["student"])
    url = await upload_resume(api, ada, pdf_resume())
    job = await api.post(
        "/api/ai/process-profile",
        {"user_id": str(ada.id), "resume_url": url},
        as_=ada,
        expect=202,
    )
    first = await start_worker(
        settings, redis_server_url, redis_prefix, ENRICHMENT_TEST_DELAY_SECONDS="120"
    )
    second = None
    try:
        deadline = time.monotonic() + 30
        while await status_of(db, job["id"]) != ("running", 1):
            assert time.monotonic() < deadline, "the first worker never started the job"
            await asyncio.sleep(0.1)
        first.send_signal(signal.SIGKILL)  # mid-job: no shutdown, no cleanup
        await first.wait()
        assert await status_of(db, job["id"]) == ("running", 1)

        second = await start_worker(settings, redis_server_url, redis_prefix)
        done = await wait_finished(api, ada, job["id"], within=60)
    finally:
        for proc in (first, second):
            if proc is not None and proc.returncode is None:
                proc.terminate()
                await proc.wait()

    assert done["status"] == "succeeded", done
    assert done["attempts"] == 2  # delivered twice, merged once
    profile = await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200)
    assert profile["skills"]["claimed"] == ADA_SKILLS
    assert len(profile["experience"]) == 2
    notes = await api.get("/api/notifications", as_=ada, expect=200)
    assert [n["type"] for n in notes["items"]] == ["profile.enriched"]
    async with db.connection() as conn:
        pending = await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE status IN ('queued', 'picked')"
        )
    assert pending == 0


async def test_a_job_whose_deliveries_keep_dying_ends_failed(api, db, client, settings):
    from server import keys
    from server.enrichment.worker import build_runner

    ada = await api.sign_up(["student"])
    url = await upload_resume(api, ada, pdf_resume())
    job = await api.post(
        "/api/ai/process-profile",
        {"user_id": str(ada.id), "resume_url": url},
        as_=ada,
        expect=202,
    )
    async with db.connection() as conn:  # as if every allowed delivery died mid-job
        await conn.execute(
            "UPDATE enrichment_jobs SET status = 'running', attempts = $2 WHERE id = $1::uuid",
            job["id"],
            settings.enrichment_max_attempts,
        )
    app = client.app
    runner = build_runner(app[keys.DB], app[keys.STORAGE], settings)
    assert await runner.run(uuid.UUID(job["id"])) == "failed"
    done = await api.get(f"/api/ai/jobs/{job['id']}", as_=ada, expect=200)
    assert done["status"] == "failed"
    assert done["error"] == "gave up after 5 deliveries that never finished"


async def test_a_worker_process_notifies_the_owner_live_through_another_web_instance(
    api, settings, database_url, redis_server_url, redis_prefix
):
    """The Procfile's layout: web and worker are separate processes; the worker's event goes
    through Redis to the web instance the user's socket is on."""
    web = await ServerProcess(
        database_url,
        redis_server_url,
        redis_prefix,
        RUN_WORKER="no",
        MIGRATE_ON_START="false",
        DATA_DIR=str(settings.data_dir),
    ).start()
    worker = await start_worker(settings, redis_server_url, redis_prefix)
    inbox = None
    try:
        ada = await api.sign_up(["student"])
        url = await upload_resume(api, ada, pdf_resume())
        inbox = Inbox(await connect_socket(web.url, ada.token, [NS]))
        job = await api.post(
            "/api/ai/process-profile",
            {"user_id": str(ada.id), "resume_url": url},
            as_=ada,
            expect=202,
        )
        event, data = await inbox.next()
        assert event == "profile.enriched"
        assert data["payload"]["enrichment_id"] == job["id"]
        assert data["payload"]["skills_added"] == ADA_SKILLS
    finally:
        if inbox is not None:
            await inbox.close()
        worker.terminate()
        await worker.wait()
        await web.stop()
