"""Orders' durable jobs: automatic completion and the due-date reminder.

Both are pgqueuer rows inserted in the transaction of the move that calls for them
(sql/orders/orders.sql, schedule_order_*), due at the right time (execute_after), with the
order's version at that move: a job whose order has moved on since does nothing, and a job
delivered twice (a worker that died mid-job, a restart) acts once (service.py locks the order
and checks its version, and for the reminder whether it was already sent).
"""

from __future__ import annotations

import json
import uuid

from pgqueuer import Job, RetryRequested

from server.orders.service import OrderService
from server.worker import Handler, JobResources, backoff, job_kind

AUTO_COMPLETE_ENTRYPOINT = "order_auto_complete"
DUE_REMINDER_ENTRYPOINT = "order_due_reminder"
# A database failure: tried again with back-off, then held as failed by pgqueuer.
MAX_ATTEMPTS = 8


def _retrying(job: Job, exc: Exception) -> RetryRequested:
    if job.attempts + 1 >= MAX_ATTEMPTS:
        raise exc
    return RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc))


def _target(job: Job) -> tuple[uuid.UUID, int]:
    payload = json.loads(job.payload or b"{}")
    return uuid.UUID(payload["order_id"]), int(payload["version"])


@job_kind(AUTO_COMPLETE_ENTRYPOINT)
def order_auto_complete_handler(resources: JobResources) -> Handler:
    orders = OrderService(resources.db, resources.settings)

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        order_id, version = _target(job)
        try:
            await orders.auto_complete(order_id, version)
        except Exception as exc:
            raise _retrying(job, exc) from exc

    return handle


@job_kind(DUE_REMINDER_ENTRYPOINT)
def order_due_reminder_handler(resources: JobResources) -> Handler:
    orders = OrderService(resources.db, resources.settings)

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        order_id, version = _target(job)
        try:
            await orders.remind_due(order_id, version)
        except Exception as exc:
            raise _retrying(job, exc) from exc

    return handle
