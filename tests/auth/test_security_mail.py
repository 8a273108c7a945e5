"""The mails of a password or email change, through a real SMTP server (aiosmtpd): the link
to the new address confirms it, the old address is told before and after, and a password
change is announced."""

from __future__ import annotations

import dataclasses
import re
import uuid

import pytest

from server.config import Settings
from tests.client import PASSWORD
from tests.smtp import Inbox
from tests.waits import eventually


@pytest.fixture
def settings(settings: Settings, smtp: Inbox) -> Settings:
    return dataclasses.replace(settings, smtp_url=smtp.url)


async def test_email_change_mails_both_addresses_over_smtp(api, smtp: Inbox):
    # Sign-up's own verification mail goes over SMTP too: confirm the account by hand.
    user = await api.sign_up(verified=False)
    new = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": new, "current_password": PASSWORD}, as_=user, expect=202
    )
    (confirm,) = await eventually(lambda: smtp.to(new), what="the confirmation mail")
    assert confirm["Subject"] == "Confirm your new RizeOS email"
    link = re.search(r"http://rizeos\.test/confirm-email\?token=([\w-]+)", confirm.get_content())
    assert link, confirm.get_content()
    notice = await eventually(
        lambda: [m for m in smtp.to(user.email) if "is changing" in m["Subject"]],
        what="the notice to the old address",
    )
    assert new in notice[0].get_content()

    changed = await api.post("/api/auth/email-change/confirm", {"token": link.group(1)}, expect=200)
    assert changed["email"] == new and changed["is_verified"]
    await eventually(
        lambda: [m for m in smtp.to(user.email) if "was changed" in m["Subject"]],
        what="the old address told of the change",
    )


async def test_a_password_change_is_announced_over_smtp(api, smtp: Inbox):
    user = await api.sign_up(verified=False)
    await api.post(
        "/api/me/password",
        {"current_password": PASSWORD, "new_password": "another long password"},
        as_=user,
        expect=200,
    )
    (mail,) = await eventually(
        lambda: [m for m in smtp.to(user.email) if "password" in m["Subject"]],
        what="the password-change mail",
    )
    assert mail["Subject"] == "Your RizeOS password was changed"
    assert "/forgot-password" in mail.get_content()
