"""Missed-message email: one email per conversation batch to a participant who has not read
it MISSED_MESSAGE_EMAIL_DELAY_SECONDS after it was sent (docs/messaging.md has the design).

Scheduling is part of the send: ``send_messages`` (sql/messaging/functions.sql) queues a
``missed_message_email`` job for each other participant in the send's own transaction, due
after the delay, at most one waiting per (user, conversation) (pgqueuer's dedupe key). The
delay reaches that function as the connection parameter ``connection_options`` sets.

A delivery (``MissedMessageMailer.deliver``) frees its dedupe key (later sends queue a new
job), then, holding a per-(user, conversation) advisory lock: sends nothing unless the user
is still a verified participant with the setting on and the conversation not muted; once
the first unread message from others above max(last_read_seq, emailed_seq) has waited the
delay, mails every such message (not deleted) as one email, younger ones of the same run
included (a burst is one email, not one now and another a second later), and moves
emailed_seq past them in the same transaction; when the first unread one is younger (the
user read up to the middle of a burst), queues a follow-up due when its delay is up.
Delivery is at least once: a job run twice finds emailed_seq moved and sends nothing; a
crash after the SMTP server accepted the email and before the commit sends it again on
redelivery (a duplicate rather than a lost email).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.config import Settings
from server.db import Database
from server.mail import Mailer
from server.messaging.unsubscribe import unsubscribe_token

log = logging.getLogger("rizeos.messaging.missed")

ENTRYPOINT = "missed_message_email"
# How the app tells send_messages() the delay: a run-time parameter of its connections.
DELAY_PARAMETER = "rizeos.missed_message_email_delay_seconds"
# Messages quoted in one email; the rest are counted.
QUOTED = 5
QUOTE_CHARS = 300


def connection_options(settings: Settings) -> dict[str, str]:
    return {DELAY_PARAMETER: repr(settings.missed_message_email_delay_seconds)}


def conversation_url(settings: Settings, conversation_id: uuid.UUID) -> str:
    return f"{settings.public_url}/messages?c={conversation_id}"


def unsubscribe_url(settings: Settings, user_id: uuid.UUID) -> str:
    return f"{settings.public_url}/unsubscribe/{unsubscribe_token(settings.secret_key, user_id)}"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line separators of any kind included) one space."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    body: str
    headers: dict[str, str]


def compose(
    settings: Settings,
    user_id: uuid.UUID,
    conversation_id: uuid.UUID,
    to: str,
    senders: list[str],
    quoted: list[Any],
    unread: int,
) -> Email:
    """The email for one batch: who wrote, the first messages, how many more, the link."""
    # A name may hold line separators a header cannot (U+2028, U+0085: names refuse only
    # ASCII control characters), and one such name would fail every email it is in.
    names = ", ".join(one_line(name) for name in senders) or "Someone"
    count = "a new message" if unread == 1 else f"{unread} new messages"
    subject = f"{names} sent you {count} on RizeOS"
    lines = [f"You have {count} on RizeOS that you have not read yet.", ""]
    for row in quoted:
        text = row["content"] or "(an attachment)"
        if len(text) > QUOTE_CHARS:
            text = text[: QUOTE_CHARS - 1] + "…"
        lines.append(f"{row['sender_name'] or 'Someone'}: {text}")
    if unread > len(quoted):
        more = unread - len(quoted)
        lines.append(f"… and {more} more message{'s' if more > 1 else ''}.")
    unsubscribe = unsubscribe_url(settings, user_id)
    lines += [
        "",
        f"Read and reply: {conversation_url(settings, conversation_id)}",
        "",
        "You get this email because a message waited unread for you. To stop these emails, "
        f"open {unsubscribe} (or mute a conversation on RizeOS).",
    ]
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Email(to, subject, "\n".join(lines), headers)


class MissedMessageMailer:
    """Runs deliveries of ``missed_message_email`` jobs (registered in worker.py)."""

    def __init__(self, db: Database, settings: Settings, mailer: Mailer):
        self.db = db
        self.q = db.q.messaging
        self.settings = settings
        self.mailer = mailer
        self.delay = timedelta(seconds=settings.missed_message_email_delay_seconds)

    async def deliver(self, job_id: int | None, payload: bytes) -> bool:
        """One delivery; True when an email went out."""
        data = json.loads(payload)
        user_id = uuid.UUID(data["user_id"])
        conversation_id = uuid.UUID(data["conversation_id"])
        if job_id is not None:
            # Under the conversation's lock, so that every send that found this job waiting
            # (and queued none) has committed before this run reads what is unread, and
            # every later one sees the key free and queues a job of its own.
            async with self.db.transaction() as tx:
                await self.q.settle_sends(tx.conn, conversation_id=conversation_id)
                await self.q.release_missed_email_job(tx.conn, job_id=job_id)
        sent, follow_up = await self._mail_batch(user_id, conversation_id)
        if follow_up is not None:
            async with self.db.statement() as conn:
                await self.q.schedule_missed_email(
                    conn,
                    user_id=user_id,
                    conversation_id=conversation_id,
                    run_at=follow_up + self.delay,
                )
        return sent

    async def _mail_batch(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> tuple[bool, Any]:
        """Mail the batch if it is due; (whether mailed, when the first message of a batch
        not due yet was sent). The caller queues that follow-up after this transaction:
        queued inside it, its uncommitted dedupe key would hold up any send to the
        conversation until the SMTP exchange ends."""
        q = self.q
        async with self.db.transaction() as tx:
            await q.lock_missed_email(tx.conn, user_id=user_id, conversation_id=conversation_id)
            state = await q.get_missed_email_state(
                tx.conn, conversation_id=conversation_id, user_id=user_id
            )
            if (
                state is None
                or state["muted"]
                or not state["missed_message_emails"]
                or not state["is_verified"]
            ):
                return False, None
            after = max(state["last_read_seq"], state["emailed_seq"])
            batch = await q.get_missed_batch(
                tx.conn,
                conversation_id=conversation_id,
                user_id=user_id,
                after=after,
                delay=self.delay,
            )
            if batch["unread"] == 0:
                return False, None
            if not batch["due"]:
                # The run of unread messages started after this job was queued (the user
                # read the earlier ones): its own delay is not up yet.
                return False, batch["first_sent_at"]
            window = {"conversation_id": conversation_id, "user_id": user_id, "after": after}
            quoted = [
                row
                async for row in q.list_missed_messages(
                    tx.conn, **window, upto=batch["cut"], limit=QUOTED
                )
            ]
            senders = [
                row["name"]
                async for row in q.list_missed_senders(tx.conn, **window, upto=batch["cut"])
            ]
            email = compose(
                self.settings,
                user_id,
                conversation_id,
                state["email"],
                senders,
                quoted,
                batch["unread"],
            )
            # Inside the transaction: the batch is marked mailed only once the SMTP server
            # has accepted it (a failure rolls back and the job is retried).
            await self.mailer.send(email.to, email.subject, email.body, headers=email.headers)
            await q.set_emailed_seq(
                tx.conn, conversation_id=conversation_id, user_id=user_id, seq=batch["cut"]
            )
            log.info(
                "missed-message email to user %s for conversation %s: %d message(s) up to seq %d",
                user_id,
                conversation_id,
                batch["unread"],
                batch["cut"],
            )
            return True, None
