"""In a real browser: the missed-message email's link works. A reader who never opened the
message gets exactly one email (caught by a real SMTP server, sent by the real worker);
following its link while logged out goes through the log-in page straight to the
conversation; a message that arrives while they have it open is read there and mailed to
nobody."""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.async_api import expect

from server.config import Settings
from tests.client import PASSWORD
from tests.messaging import test_missed_email as missed
from tests.pages.conftest import Browser
from tests.pages.test_browser_chat import conversation_between
from tests.waits import eventually

# The missed-message tests' real worker (the SMTP server is the shared `smtp` fixture).
worker = missed.worker


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, missed_message_email_delay_seconds=missed.DELAY)


async def test_the_emailed_link_opens_the_conversation_and_a_read_message_is_not_mailed(
    browser: Browser,
    api,
    worker,
    smtp,
    db,
):
    recruiter, student, conversation = await conversation_between(api)
    cid = conversation["id"]
    await worker.start()
    await api.post(
        f"/api/conversations/{cid}/messages",
        {"content": "Did you see the offer?"},
        as_=recruiter,
        expect=201,
    )
    await eventually(lambda: smtp.to(student.email), what="the email")
    await missed.all_done(db)
    assert len(smtp.to(student.email)) == 1
    url = missed.link(smtp.to(student.email)[0], rf"{re.escape(browser.base_url)}/messages\?c=\S+")

    sam = await browser.page(None, url)
    await expect(sam.get_by_role("heading", name="Log in")).to_be_visible()
    await sam.get_by_label("Email").fill(student.email)
    await sam.get_by_label("Password").fill(PASSWORD)
    await sam.get_by_role("button", name="Log in").click()
    await sam.wait_for_url(url)
    await expect(sam.locator("#messages .message .content")).to_have_text(
        ["Did you see the offer?"]
    )
    await expect(sam.locator("body[data-chat=live]")).to_have_count(1)

    # Sam has it open: the next message is read as it arrives, so no email follows.
    await api.post(
        f"/api/conversations/{cid}/messages", {"content": "Great!"}, as_=recruiter, expect=201
    )
    await expect(sam.locator("#messages .message .content").last).to_have_text("Great!")
    await missed.all_done(db)
    assert len(smtp.to(student.email)) == 1
    assert len(smtp.messages) == 1
    browser.check()
