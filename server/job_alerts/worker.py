"""Job alerts' background jobs: matching a new or reopened job (matching.py) and the daily
digest email (digest.py)."""

from __future__ import annotations

import json
import uuid

from pgqueuer import Job, RetryRequested

from server.job_alerts.digest import DIGEST_ENTRYPOINT, DigestMailer
from server.job_alerts.matching import MATCH_ENTRYPOINT, AlertMatcher
from server.mail import Mailer
from server.worker import Handler, JobResources, backoff, job_kind

# A database or SMTP failure: tried again with back-off, then held as failed by pgqueuer.
MAX_ATTEMPTS = 8


def _retrying(job: Job, exc: Exception) -> RetryRequested:
    if job.attempts + 1 >= MAX_ATTEMPTS:
        raise exc
    return RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc))


@job_kind(MATCH_ENTRYPOINT)
def job_alert_match_handler(resources: JobResources) -> Handler:
    matcher = AlertMatcher(resources.db, resources.settings)

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        try:
            await matcher.match(uuid.UUID(json.loads(job.payload)["job_id"]))
        except Exception as exc:
            raise _retrying(job, exc) from exc

    return handle


@job_kind(DIGEST_ENTRYPOINT)
def job_alert_digest_handler(resources: JobResources) -> Handler:
    settings = resources.settings
    mailer = DigestMailer(resources.db, settings, Mailer(settings.smtp_url, settings.mail_from))

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        try:
            await mailer.deliver(job.id, job.payload)
        except Exception as exc:
            raise _retrying(job, exc) from exc

    return handle
