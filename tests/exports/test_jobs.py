"""The export's durable jobs on the real worker (pgqueuer): the build waits out a worker
restart and acts once however often it is delivered, a build whose worker died is taken
over, a build that gives up lets the person ask again."""

from __future__ import annotations

import json
import uuid

from server import keys
from server.exports.service import ExportService, object_key
from tests.exports.conftest import download, ready, status
from tests.waits import eventually


async def export_row(db, export_id: str) -> dict:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM data_exports WHERE id = $1", uuid.UUID(export_id))
    return dict(row)


async def jobs(db, entrypoint: str) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", entrypoint
        )


async def all_run(db, entrypoint: str) -> None:
    async def none_left() -> bool:
        return await jobs(db, entrypoint) == 0

    await eventually(none_left, what=f"every {entrypoint} job to run")


async def ready_notices(api, user) -> list[dict]:
    page = await api.get("/api/notifications?limit=100", as_=user, expect=200)
    return [n for n in page["items"] if n["type"] == "account.export_ready"]


async def queue_again(db, export_id: str) -> None:
    """A second delivery of the build: its job queued once more."""
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)"
            " VALUES (0, 'account_export', $1, now(), 'queued')",
            json.dumps({"export_id": export_id}).encode(),
        )


async def test_the_build_waits_out_a_restart_and_runs_once(api, db, worker):
    user = await api.sign_up(["student"])
    await worker.start()
    await worker.stop()
    asked = await api.post("/api/me/export", as_=user, expect=202)
    assert await jobs(db, "account_export") == 1  # durable: waiting for a worker
    assert (await status(api, user))["status"] == "queued"

    await worker.start()  # the worker again, as after a restart
    done = await ready(api, user)
    await all_run(db, "account_export")
    first = await export_row(db, asked["id"])
    [notice] = await ready_notices(api, user)
    assert notice["payload"] == {
        "export_id": asked["id"],
        "size": first["size"],
        "ready_at": done["ready_at"],
        "expires_at": done["expires_at"],
    }

    await queue_again(db, asked["id"])
    await all_run(db, "account_export")
    assert await export_row(db, asked["id"]) == first  # the same object, the same times
    assert len(await ready_notices(api, user)) == 1
    assert await jobs(db, "account_export_expire") == 1
    await download(api, user)


async def test_a_build_whose_worker_died_is_taken_over(api, db, client, worker):
    """The row says `building` under a key whose object a dead worker left half-written:
    the next delivery builds again under a key of its own and deletes that one."""
    user = await api.sign_up(["student"])
    asked = await api.post("/api/me/export", as_=user, expect=202)
    storage = client.app[keys.STORAGE]
    abandoned = object_key()
    leftover = client.app[keys.SETTINGS].data_dir / "leftover.zip"
    leftover.write_bytes(b"PK half a zip")
    await storage.put_file(abandoned, leftover, content_type="application/zip")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE data_exports SET status = 'building', object_key = $2 WHERE id = $1",
            uuid.UUID(asked["id"]),
            abandoned,
        )
    await worker.start()
    await ready(api, user)
    row = await export_row(db, asked["id"])
    assert row["object_key"] != abandoned
    assert await storage.stat(abandoned) is None
    assert await storage.stat(row["object_key"]) is not None
    await download(api, user)


async def test_a_failing_build_is_marked_failed_and_may_be_asked_again(api, db, client):
    user = await api.sign_up(["student"])
    asked = await api.post("/api/me/export", as_=user, expect=202)
    service = ExportService(db, client.app[keys.STORAGE], client.app[keys.SETTINGS])
    await service.fail(uuid.UUID(asked["id"]), "StorageError: the store is down")
    assert (await status(api, user))["status"] == "failed"
    problem = await api.get("/api/me/export", as_=user, expect=404)
    assert "failed" in problem["detail"]
    again = await api.post("/api/me/export", as_=user, expect=202)
    assert again["id"] != asked["id"]
    # A late delivery of the failed build's job does nothing.
    assert await service.build(uuid.UUID(asked["id"])) is False
    assert (await export_row(db, asked["id"]))["status"] == "failed"
