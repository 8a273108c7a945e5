"""A ready export expires after EXPORT_TTL_HOURS (about 2 s here): the scheduled job
deletes its ZIP from storage and marks it expired, and it can no longer be downloaded."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from server import keys
from server.config import Settings
from tests.exports.conftest import ready, status
from tests.exports.test_jobs import all_run, export_row
from tests.waits import eventually

TTL_HOURS = 0.0006  # 2.16 s


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, export_ttl_hours=TTL_HOURS)


async def test_a_ready_export_expires_and_its_zip_is_deleted(api, db, client, worker):
    user = await api.sign_up(["student"])
    await worker.start()
    asked = await api.post("/api/me/export", as_=user, expect=202)
    done = await ready(api, user)
    lifetime = datetime.fromisoformat(done["expires_at"]) - datetime.fromisoformat(done["ready_at"])
    assert abs(lifetime.total_seconds() - TTL_HOURS * 3600) < 0.01
    key = (await export_row(db, asked["id"]))["object_key"]
    storage = client.app[keys.STORAGE]
    assert await storage.stat(key) is not None

    async def expired() -> bool:
        return (await export_row(db, asked["id"]))["status"] == "expired"

    await eventually(expired, what="the expiry job to expire the export")
    assert await storage.stat(key) is None
    assert not storage.file_path(key)
    answer = await status(api, user)
    assert (answer["status"], answer["download_url"], answer["size"]) == ("expired", None, None)
    problem = await api.get("/api/me/export", as_=user, expect=404)
    assert "expired" in problem["detail"]
    await all_run(db, "account_export_expire")
    # A new one may be asked for.
    again = await api.post("/api/me/export", as_=user, expect=202)
    assert again["id"] != asked["id"]
