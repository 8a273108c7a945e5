"""Outgoing mail: SMTP through aiosmtplib when SMTP_URL is set, otherwise the log.

The log backend is the embedded default: a newcomer with nothing configured finds the
verification link in the server's output.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

import aiosmtplib

log = logging.getLogger("rizeos.mail")


class Mailer:
    def __init__(self, smtp_url: str | None, sender: str):
        self.sender = sender
        self._smtp = urlparse(smtp_url) if smtp_url else None

    async def send(self, to: str, subject: str, body: str) -> None:
        if self._smtp is None:
            log.info("mail to=%s subject=%r\n%s", to, subject, body)
            return
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        implicit_tls = self._smtp.scheme == "smtps"
        await aiosmtplib.send(
            message,
            hostname=self._smtp.hostname or "localhost",
            port=self._smtp.port or (465 if implicit_tls else 25),
            username=unquote(self._smtp.username) if self._smtp.username else None,
            password=unquote(self._smtp.password) if self._smtp.password else None,
            use_tls=implicit_tls,
            timeout=30,
        )
        log.info("mail sent to=%s subject=%r", to, subject)
