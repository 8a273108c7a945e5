"""Messaging's background jobs: the missed-message email (missed.py has the rules)."""

from __future__ import annotations

from pgqueuer import Job, RetryRequested

from server.mail import Mailer
from server.messaging.missed import ENTRYPOINT, MissedMessageMailer
from server.worker import Handler, JobResources, backoff, job_kind

# SMTP refusing or unreachable: tried again with back-off, then held as failed by pgqueuer.
MAX_ATTEMPTS = 8


@job_kind(ENTRYPOINT)
def missed_message_email_handler(resources: JobResources) -> Handler:
    settings = resources.settings
    mailer = MissedMessageMailer(
        resources.db, settings, Mailer(settings.smtp_url, settings.mail_from)
    )

    async def handle(job: Job) -> None:
        if job.payload is None:
            return
        try:
            await mailer.deliver(job.id, job.payload)
        except Exception as exc:
            if job.attempts + 1 >= MAX_ATTEMPTS:
                raise
            raise RetryRequested(delay=backoff(job.attempts + 1), reason=repr(exc)) from exc

    return handle
