"""The durable job that deletes an erased account's stored objects.

Queued by ``AccountDeletion.delete`` in the erase's own transaction, with every object key
the erase collected (its uploads and data exports): it exists if and only if the erase
committed, and survives restarts like every pgqueuer job. Deleting is idempotent and a
missing object is no error (``Storage.delete``), so a job delivered twice (a worker that
died mid-job) or retried after a storage failure simply deletes what is left; it acts once.
"""

from __future__ import annotations

import json
import logging

from pgqueuer import Job, RetryRequested

from server.deletion.service import ERASE_OBJECTS_ENTRYPOINT
from server.worker import Handler, JobResources, backoff, job_kind

log = logging.getLogger("rizeos.deletion")

# Storage unreachable or refusing: tried again with back-off, then held as failed by
# pgqueuer (its row keeps the keys, so nothing is forgotten).
MAX_ATTEMPTS = 12


@job_kind(ERASE_OBJECTS_ENTRYPOINT)
def account_erase_objects_handler(resources: JobResources) -> Handler:
    storage = resources.storage

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        payload = json.loads(job.payload)
        try:
            for object_key in payload["object_keys"]:
                await storage.delete(object_key)
        except Exception as exc:
            if job.attempts + 1 >= MAX_ATTEMPTS:
                raise
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc)) from exc
        log.info(
            "deleted %d stored object(s) of erased account %s",
            len(payload["object_keys"]),
            payload["user_id"],
        )

    return handle
