"""Mail goes out over real SMTP when SMTP_URL is set (aiosmtpd plays the mail server)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import replace

from aiosmtpd.controller import Controller

from server.app import create_app
from server.mail import Mailer
from tests.client import PASSWORD
from tests.processes import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


async def test_mailer_delivers_over_smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = Mailer(f"smtp://127.0.0.1:{port}", "RizeOS <no-reply@rizeos.test>")
        await mailer.send("ana@example.com", "Hello", "Body text")
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert sender == "no-reply@rizeos.test"
    assert recipients == ["ana@example.com"]
    assert "Subject: Hello" in content and "Body text" in content


async def test_signup_mails_a_working_verification_link_over_smtp(settings, aiohttp_client):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = create_app(replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"))
        client = await aiohttp_client(app)
        body = {"email": "smtp@example.com", "password": PASSWORD, "roles": ["student"]}
        response = await client.post("/api/auth/signup", json=body)
        assert response.status == 201
        for _ in range(50):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        controller.stop()
    message = email.message_from_string(inbox.messages[0][2], policy=email.policy.default)
    text = message.get_content()
    token = text.split("verify-email?token=")[1].split()[0]
    response = await client.post("/api/auth/verify-email", json={"token": token})
    assert response.status == 200
    assert (await response.json())["is_verified"] is True
