"""Outgoing mail: SMTP through aiosmtplib when SMTP_URL is set, otherwise the log.

The log backend is the embedded default: a newcomer with nothing configured finds the
verification link in the server's output.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

import aiosmtplib

log = logging.getLogger("rizeos.mail")


SMTP_TIMEOUT_SECONDS = 10


class Mailer:
    def __init__(self, smtp_url: str | None, sender: str):
        self.sender = sender
        self._smtp = urlparse(smtp_url) if smtp_url else None
        self._pending: set[asyncio.Task[None]] = set()

    async def send_later(self, to: str, subject: str, body: str) -> None:
        """Send without holding up the request that caused the mail.

        The log backend writes at once; SMTP runs in a task (awaited at shutdown by
        ``drain``), and a failure is logged: the user can ask for the link again.
        """
        if self._smtp is None:
            await self.send(to, subject, body)
            return
        task = asyncio.create_task(self._send_logging_failure(to, subject, body))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send_logging_failure(self, to: str, subject: str, body: str) -> None:
        try:
            await self.send(to, subject, body)
        except Exception:
            log.exception("mail to=%s subject=%r could not be sent", to, subject)

    async def drain(self) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=SMTP_TIMEOUT_SECONDS)

    async def send(
        self, to: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> None:
        """``headers``: more header fields (``List-Unsubscribe``, ...), written as given."""
        if self._smtp is None:
            log.info("mail to=%s subject=%r\n%s", to, subject, body)
            return
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)
        implicit_tls = self._smtp.scheme == "smtps"
        await aiosmtplib.send(
            message,
            hostname=self._smtp.hostname or "localhost",
            port=self._smtp.port or (465 if implicit_tls else 25),
            username=unquote(self._smtp.username) if self._smtp.username else None,
            password=unquote(self._smtp.password) if self._smtp.password else None,
            use_tls=implicit_tls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        log.info("mail sent to=%s subject=%r", to, subject)
