"""The daily job-alert digest: one email per user per digest period listing the new matches
of their daily alerts (docs/job-alerts.md, "The digest").

A match of a daily alert is stored pending (job_alert_matches.digest_pending) and queues a
``job_alert_digest`` job for its user, due at the next digest time (matching.py
``queue_digests``), at most one waiting per user (pgqueuer's dedupe key); the match run
holds that job's row share-locked until it commits. A run frees that key first, in a
statement of its own, which waits for any such match run to commit (a match from then on
queues the next period's job); then, under a per-user advisory lock, it reads the pending
rows (at most READ_LIMIT; the rest get the next period's job), mails them as one email when
the user is verified and has not unsubscribed, and clears exactly the rows it read, in the
same transaction, after the SMTP server accepted the email. So every pending match has a
digest job that reads it; one job per user per period; a run delivered twice finds nothing
left the second time. A deleted alert's rows are gone (cascade), so it is in no digest. A
crash between the SMTP server's acceptance and the commit mails again on redelivery (at
least once, as missed-message email).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from server.config import Settings
from server.db import Database, fetch_all
from server.job_alerts.matching import queue_digests
from server.job_alerts.unsubscribe import digest_unsubscribe_token
from server.mail import Mailer
from server.messaging.missed import one_line

log = logging.getLogger("rizeos.job_alerts.digest")

DIGEST_ENTRYPOINT = "job_alert_digest"
# Rows read by one run (the rest wait for the next digest), and jobs listed in one email.
READ_LIMIT = 1000
LISTED = 25
TYPES = {
    "internship": "Internship",
    "full_time": "Full-time",
    "part_time": "Part-time",
    "contract": "Contract",
}


def unsubscribe_url(settings: Settings, user_id: uuid.UUID) -> str:
    token = digest_unsubscribe_token(settings.secret_key, user_id)
    return f"{settings.public_url}/unsubscribe/job-alerts/{token}"


@dataclass(frozen=True, slots=True)
class DigestEmail:
    to: str
    subject: str
    body: str
    headers: dict[str, str]


def compose(settings: Settings, user_id: uuid.UUID, to: str, jobs: list[Any]) -> DigestEmail:
    """``jobs``: one row per job (newest match order), open ones only."""
    count = f"{len(jobs)} new job{'s' if len(jobs) > 1 else ''}"
    subject = f"{count} matching your alerts on RizeOS"
    lines = [f"{count} matched your daily job alerts since the last digest:", ""]
    for row in jobs[:LISTED]:
        where = "Remote" if row["remote"] else (row["location"] or "")
        place = f" · {one_line(where)}" if where else ""
        lines.append(f"{one_line(row['title'])} at {one_line(row['company_name'])}{place}")
        lines.append(f"  {settings.public_url}/jobs/{row['job_id']}")
    if len(jobs) > LISTED:
        lines.append(f"… and {len(jobs) - LISTED} more: {settings.public_url}/me/job-alerts")
    unsubscribe = unsubscribe_url(settings, user_id)
    lines += [
        "",
        f"Manage your alerts: {settings.public_url}/me/job-alerts",
        "",
        "You get this email because you have daily job alerts on RizeOS. To stop these "
        f"emails, open {unsubscribe}",
    ]
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return DigestEmail(to, subject, "\n".join(lines), headers)


class DigestMailer:
    def __init__(
        self, db: Database, settings: Settings, mailer: Mailer, read_limit: int = READ_LIMIT
    ):
        self.db = db
        self.read_limit = read_limit
        self.q = db.q.job_alerts
        self.settings = settings
        self.mailer = mailer

    async def deliver(self, job_id: int | None, payload: bytes) -> bool:
        """One user's digest; True when an email went out."""
        user_id = uuid.UUID(json.loads(payload)["user_id"])
        q = self.q
        if job_id is not None:
            # Committed before the read: it waits for a match run holding this job's row,
            # whose rows are then read below; a later match run finds the key free.
            async with self.db.statement() as conn:
                await q.release_job_alert_digest_job(conn, job_id=job_id)
        async with self.db.transaction() as tx:
            await q.lock_job_alert_digest(tx.conn, user_id=user_id)
            rows = await fetch_all(
                q.list_job_alert_digest_matches, tx.conn, user_id=user_id, limit=self.read_limit
            )
            if not rows:
                return False
            if len(rows) == self.read_limit:  # more may wait: they go in the next digest
                await queue_digests(self.db, tx.conn, self.settings, [user_id])
            recipient = await q.get_job_alert_digest_recipient(tx.conn, user_id=user_id)
            jobs: dict[uuid.UUID, Any] = {}
            for row in rows:
                if row["status"] == "open":  # closed since it matched: not worth a line
                    jobs.setdefault(row["job_id"], row)
            send = (
                recipient is not None
                and recipient["is_verified"]
                and recipient["job_alert_emails"]
                and jobs
            )
            if send:
                email = compose(self.settings, user_id, recipient["email"], list(jobs.values()))
                # Inside the transaction: the rows are cleared only once the SMTP server has
                # accepted the email (a failure rolls back and the job is retried).
                await self.mailer.send(email.to, email.subject, email.body, headers=email.headers)
            # Unsent rows (unsubscribed, unverified, closed jobs) are cleared too: a later
            # digest is about what is new then.
            await q.clear_job_alert_digest_matches(
                tx.conn,
                alert_ids=[r["alert_id"] for r in rows],
                job_ids=[r["job_id"] for r in rows],
            )
            if send:
                log.info("job-alert digest to user %s: %d job(s)", user_id, len(jobs))
            return bool(send)
