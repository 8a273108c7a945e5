"""In a real browser: a message refused for now (over the send limit) stays pending and
goes again by itself, with the same id, until it is stored; it is never shown as failed."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.async_api import expect

from server.config import Settings
from tests.pages.conftest import Browser
from tests.pages.test_browser_chat import conversation_between


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # One send, then one more every 2 s: the second of two quick sends is refused at first.
    return dataclasses.replace(settings, send_burst=1, send_rate_per_second=0.5)


async def test_a_rate_limited_message_stays_pending_and_is_sent_again(browser: Browser, api):
    recruiter, student, conversation = await conversation_between(api)
    path = f"/messages/{conversation['id']}"
    rita = await browser.page(recruiter, path)
    sam = await browser.page(student, path)

    for text in ("One", "Two"):
        await sam.locator("#message-input").fill(text)
        await sam.locator("#message-input").press("Enter")
    # "Two" was refused (rate_limited) and waits, marked as sending, not as failed...
    mine = sam.locator("#messages .message.mine")
    await expect(mine).to_have_count(2)
    await expect(rita.locator("#messages .message .content")).to_have_text(["One"])
    # ...then goes again by itself once the bucket has a token.
    await expect(rita.locator("#messages .message .content")).to_have_text(
        ["One", "Two"], timeout=20_000
    )
    await expect(sam.locator("#messages .message.failed")).to_have_count(0)
    await expect(sam.locator("#messages .message.pending")).to_have_count(0, timeout=20_000)
    await expect(mine.locator(".content")).to_have_text(["One", "Two"])
    browser.check()
