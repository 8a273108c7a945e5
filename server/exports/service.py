"""Data exports: asking for one, building it in the background, serving it, expiring it.

``request`` inserts the row and queues the ``account_export`` job in one transaction (one
export in flight per person: asking again returns it). The job (``build``) writes the ZIP
(archive.py) to a temporary file, stores it as an object of its own, and in one
transaction marks the row ready, schedules ``account_export_expire`` for EXPORT_TTL_HOURS
later and notifies ``account.export_ready``. Delivery is at least once, so each step
checks the row first: a job whose export is ready (or gone) does nothing, a second
delivery of a build in progress takes it over under a new key and the first one's finish
then finds its key replaced and removes its own object.
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from server.auth.service import hold_live_account
from server.config import Settings
from server.db import Database
from server.errors import NotFound
from server.exports import events, schemas
from server.exports.archive import write_archive
from server.notifications.service import NotificationService
from server.storage import Storage, StorageError
from server.worker import enqueue_job

log = logging.getLogger("rizeos.exports")

BUILD_ENTRYPOINT = "account_export"
EXPIRE_ENTRYPOINT = "account_export_expire"
IN_FLIGHT = ("queued", "building")
DOWNLOAD_PATH = "/api/me/export"
ZIP = "application/zip"


def object_key() -> str:
    """A key of the store's one shape (server/storage/base.py), new for each build."""
    return f"files/export/{uuid.uuid4().hex}.zip"


def state(row: asyncpg.Record, now: datetime) -> schemas.ExportState:
    """A ready export past its expiry is expired, even before its expiry job has run (no
    worker running, a backlog)."""
    if row["status"] == "ready" and row["expires_at"] <= now:
        return "expired"
    return row["status"]


def to_export(row: asyncpg.Record | None, now: datetime | None = None) -> schemas.Export:
    if row is None:
        return schemas.Export(status="none")
    status = state(row, now or datetime.now(UTC))
    return schemas.Export(
        status=status,
        id=row["id"],
        created_at=row["created_at"],
        ready_at=row["ready_at"],
        expires_at=row["expires_at"],
        size=row["size"] if status == "ready" else None,
        download_url=DOWNLOAD_PATH if status == "ready" else None,
    )


def download_name(row: asyncpg.Record) -> str:
    return f"rizeos-export-{row['ready_at']:%Y-%m-%d}.zip"


class ExportService:
    def __init__(self, db: Database, storage: Storage, settings: Settings):
        self.db = db
        self.storage = storage
        self.settings = settings
        self.q = db.q.exports

    # -- the person's side ------------------------------------------------------------------

    async def request(self, user_id: uuid.UUID) -> schemas.Export:
        """Queue an export of ``user_id``'s data, or return the one already in flight."""
        async with self.db.transaction() as tx:
            await hold_live_account(self.db, tx, user_id)
            row = await self.q.insert_export(tx.conn, user_id=user_id)
            if row is None:
                row = await self.q.get_export_in_flight(tx.conn, user_id=user_id)
            else:
                payload = json.dumps({"export_id": str(row["id"])}).encode()
                await enqueue_job(self.db, tx, BUILD_ENTRYPOINT, payload)
        if row is None:  # finished between the insert and the read: ask for a new one
            return await self.request(user_id)
        return to_export(row)

    async def latest(self, user_id: uuid.UUID) -> schemas.Export:
        async with self.db.connection() as conn:
            row = await self.q.get_latest_export(conn, user_id=user_id)
        return to_export(row)

    async def downloadable(self, user_id: uuid.UUID) -> tuple[schemas.Export, str | None, str]:
        """The latest export, with its object key and download file name when it is ready
        (None while it is being built); NotFound when there is none to download."""
        async with self.db.connection() as conn:
            row = await self.q.get_latest_export(conn, user_id=user_id)
        export = to_export(row)
        if row is None or export.status in ("none", "expired", "failed"):
            raise NotFound(
                {
                    "none": "you have no data export; ask for one with POST /api/me/export",
                    "expired": "your data export has expired; ask for a new one",
                    "failed": "your last data export failed; ask for a new one",
                }[export.status]
            )
        if export.status != "ready":
            return export, None, ""
        return export, row["object_key"], download_name(row)

    # -- the jobs ----------------------------------------------------------------------------

    async def build(self, export_id: uuid.UUID) -> bool:
        """The ``account_export`` job: whether this delivery made the export ready."""
        key = object_key()
        async with self.db.transaction() as tx:
            row = await self.q.lock_export(tx.conn, export_id=export_id)
            if row is None or row["status"] not in IN_FLIGHT:
                return False  # done already, failed, or the account is gone
            previous = row["object_key"]
            row = await self.q.start_export(tx.conn, export_id=export_id, object_key=key)
        if previous is not None:
            # An earlier delivery's build, whose worker died (or is about to lose its key).
            await self._delete_quietly(previous)
        # Under DATA_DIR, not /tmp: /tmp is often a RAM disk, and an export holds every
        # file the person uploaded.
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".export-", dir=self.settings.data_dir) as folder:
            path = Path(folder) / "export.zip"
            await write_archive(self.db, self.storage, row["user_id"], path, datetime.now(UTC))
            info = await self.storage.put_file(key, path, content_type=ZIP)
        async with self.db.transaction() as tx:
            ready = await self.q.finish_export(
                tx.conn,
                export_id=export_id,
                object_key=key,
                size=info.size,
                ttl_seconds=self.settings.export_ttl_hours * 3600,
            )
            if ready is not None:
                await self.q.schedule_export_expiry(tx.conn, export_id=export_id)
                await NotificationService(self.db).notify(
                    tx, [ready["user_id"]], events.EXPORT_READY, events.export_ready(ready)
                )
        if ready is None:
            await self._delete_quietly(key)
            return False
        log.info("data export %s ready (%d bytes)", export_id, info.size)
        return True

    async def fail(self, export_id: uuid.UUID, error: str) -> None:
        """The build gave up: the person may ask again (no export in flight any more)."""
        async with self.db.transaction() as tx:
            row = await self.q.lock_export(tx.conn, export_id=export_id)
            if row is None or row["status"] not in IN_FLIGHT:
                return
            await self.q.fail_export(tx.conn, export_id=export_id, error=error[:1000])
        if row["object_key"] is not None:
            await self._delete_quietly(row["object_key"])

    async def expire(self, export_id: uuid.UUID) -> bool:
        """The ``account_export_expire`` job: delete the ZIP and mark the export expired;
        nothing when it is not ready (expired already, or the account is gone)."""
        async with self.db.transaction() as tx:
            row = await self.q.lock_export(tx.conn, export_id=export_id)
            if row is None or row["status"] != "ready":
                return False
            await self.storage.delete(row["object_key"])
            await self.q.expire_export(tx.conn, export_id=export_id)
        log.info("data export %s expired", export_id)
        return True

    async def _delete_quietly(self, key: str) -> None:
        try:
            await self.storage.delete(key)
        except StorageError:
            log.warning("could not delete the abandoned export object %s", key, exc_info=True)
