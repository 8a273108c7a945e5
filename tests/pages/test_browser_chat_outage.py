"""In a real browser: a message sent while the database is unreachable (acked `unavailable`)
stays pending, is never shown as failed, and is stored by itself, once, when the database
is back."""

from __future__ import annotations

from playwright.async_api import expect

from tests.outages import database_unreachable
from tests.pages.conftest import Browser
from tests.pages.test_browser_chat import conversation_between


async def test_a_message_sent_during_a_database_outage_is_stored_when_it_is_back(
    browser: Browser, api, database_url
):
    recruiter, student, conversation = await conversation_between(api, "Hello Sam!")
    path = f"/messages/{conversation['id']}"
    rita = await browser.page(recruiter, path)
    sam = await browser.page(student, path)
    await expect(sam.locator("#messages .message .content")).to_have_text(["Hello Sam!"])

    async with database_unreachable(database_url):
        await sam.locator("#message-input").fill("Sent in the dark")
        await sam.locator("#message-input").press("Enter")
        # Refused for now: it waits, marked as sending, and goes again after a pause.
        pending = sam.locator("#messages .message.pending")
        await expect(pending).to_have_count(1)
        await sam.wait_for_timeout(1500)  # at least one retry is refused too
        await expect(pending).to_have_count(1)
        await expect(sam.locator("#messages .message.failed")).to_have_count(0)
    await expect(rita.locator("#messages .message .content")).to_have_text(
        ["Hello Sam!", "Sent in the dark"], timeout=20_000
    )
    await expect(sam.locator("#messages .message.pending")).to_have_count(0, timeout=20_000)
    await expect(sam.locator("#messages .message.failed")).to_have_count(0)
    history = await api.get(f"/api/conversations/{conversation['id']}/messages", as_=student)
    assert [m["content"] for m in history["items"]].count("Sent in the dark") == 1
    browser.check()
