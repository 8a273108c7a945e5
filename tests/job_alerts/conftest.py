"""Job-alert tests: a company that posts, the real worker (pgqueuer) on the test database,
and a real SMTP server (aiosmtpd) for the digest. The digest is due every second here (a day
by default), so a test waits for the email without sleeping a day."""

from __future__ import annotations

import dataclasses

import pytest

from server.config import Settings
from tests.client import User
from tests.messaging.test_missed_email import RunningWorker
from tests.smtp import Inbox
from tests.waits import eventually

DIGEST_INTERVAL = 1.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, job_alert_digest_interval_seconds=DIGEST_INTERVAL)


@pytest.fixture
async def worker(client, settings: Settings, smtp: Inbox):
    running = RunningWorker(client.app, dataclasses.replace(settings, smtp_url=smtp.url))
    yield running
    await running.stop()


@pytest.fixture
async def employer(api) -> User:
    return await api.sign_up(["employer"], full_name="Rita Recruiter")


@pytest.fixture
async def company(api, employer) -> dict:
    return await api.company(employer, "Acme Corp")


@pytest.fixture
async def student(api) -> User:
    return await api.sign_up(["student"], full_name="Sam Student")


async def queued(db, entrypoint: str) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1 AND status = 'queued'"
            " AND execute_after <= now()",
            entrypoint,
        )


async def matched(db) -> None:
    """Every job_alert_match job has run (a finished job's row is deleted)."""

    async def none_left() -> bool:
        async with db.connection() as conn:
            return not await conn.fetchval(
                "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'job_alert_match'"
            )

    await eventually(none_left, what="the matching jobs to finish")
