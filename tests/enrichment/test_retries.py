"""A transient failure (storage unreachable) is retried with back-off, a bounded number of
times, and then ends `failed` with its error visible."""

from __future__ import annotations

import dataclasses

import pytest

from server import keys
from server.config import Settings
from tests.enrichment.conftest import enrich, pdf_resume


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, run_worker="yes", enrichment_max_attempts=2)


def flaky_storage(client, failures: int) -> list[str]:
    """Make the next ``failures`` reads of the app's storage fail as an outage would."""
    storage = client.app[keys.STORAGE]
    real_read = storage.read
    calls: list[str] = []

    async def read(key: str, max_bytes: int) -> bytes:
        calls.append(key)
        if len(calls) <= failures:
            raise ConnectionError("storage unreachable")
        return await real_read(key, max_bytes)

    storage.read = read
    return calls


async def test_a_transient_failure_is_retried_and_then_succeeds(api, client):
    ada = await api.sign_up(["student"])
    calls = flaky_storage(client, failures=1)
    job = await enrich(api, ada, pdf_resume())
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2 and job["error"] is None
    assert len(calls) == 2


async def test_a_failure_that_persists_ends_failed_after_the_last_try(api, client):
    ada = await api.sign_up(["student"])
    calls = flaky_storage(client, failures=10)
    job = await enrich(api, ada, pdf_resume())
    assert job["status"] == "failed"
    assert job["attempts"] == 2 and len(calls) == 2
    assert job["error"] == "gave up after 2 tries: ConnectionError: storage unreachable"
