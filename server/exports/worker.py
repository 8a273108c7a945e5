"""The data export's durable jobs (service.py): building the ZIP, and deleting it when it
expires. Both are pgqueuer rows queued in the transaction that calls for them (the request;
the export becoming ready, due EXPORT_TTL_HOURS later), so they survive a restart; each
checks the export's row first, so a job delivered twice acts once."""

from __future__ import annotations

import json
import uuid

from pgqueuer import Job, RetryRequested

from server.exports.service import BUILD_ENTRYPOINT, EXPIRE_ENTRYPOINT, ExportService
from server.worker import Handler, JobResources, backoff, job_kind

# A database or storage failure: tried again with back-off; the build is then marked
# failed (the person may ask again) and the job held as failed by pgqueuer.
MAX_ATTEMPTS = 6


def _export_id(job: Job) -> uuid.UUID:
    return uuid.UUID(json.loads(job.payload or b"{}")["export_id"])


def _last_attempt(job: Job) -> bool:
    return job.attempts + 1 >= MAX_ATTEMPTS


@job_kind(BUILD_ENTRYPOINT)
def account_export_handler(resources: JobResources) -> Handler:
    exports = ExportService(resources.db, resources.storage, resources.settings)

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        export_id = _export_id(job)
        try:
            await exports.build(export_id)
        except Exception as exc:
            if _last_attempt(job):
                await exports.fail(export_id, f"{type(exc).__name__}: {exc}")
                raise
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc)) from exc

    return handle


@job_kind(EXPIRE_ENTRYPOINT)
def account_export_expire_handler(resources: JobResources) -> Handler:
    exports = ExportService(resources.db, resources.storage, resources.settings)

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        try:
            await exports.expire(_export_id(job))
        except Exception as exc:
            if _last_attempt(job):
                raise
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc)) from exc

    return handle
