"""In a real browser, two people chat: live messages, typing, read markers, keyboard send,
and a reader who goes offline catches up silently when the connection comes back."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.pages.conftest import Browser, hiring_setup


async def conversation_between(api, first_words: str | None = None):
    recruiter, _, job = await hiring_setup(api)
    student = await api.sign_up(["student"], full_name="Sam Student")
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    body = {
        "participant_ids": [str(student.id)],
        "context": {"type": "application", "id": application["id"]},
    }
    if first_words:
        body["message"] = {"content": first_words, "client_msg_id": "first"}
    conversation = await api.post("/api/conversations", body, as_=recruiter, expect=201)
    return recruiter, student, conversation


async def test_two_people_chat_live_with_typing_and_read_markers(browser: Browser, api):
    recruiter, student, conversation = await conversation_between(api, "Hello Sam!")
    path = f"/messages/{conversation['id']}"
    rita = await browser.page(recruiter, path)
    sam = await browser.page(student, "/messages")

    # The list shows the last message and the unread count before Sam opens it.
    entry = sam.locator("#conversation-list li", has_text="Rita Recruiter")
    await expect(entry.locator(".unread-count")).to_have_text("1")
    await expect(entry).to_contain_text("Hello Sam!")
    await entry.get_by_role("link").click()
    await sam.wait_for_url(f"**{path}")
    await expect(sam.locator("#messages .message .content")).to_have_text(["Hello Sam!"])
    await expect(rita.locator(".read-marker")).to_have_text("Seen by Sam Student")

    await sam.locator("#message-input").press_sequentially("Hi Ri")
    await expect(rita.locator("#typing")).to_have_text("Sam Student is typing…")
    await sam.locator("#message-input").press_sequentially("ta, thanks!")
    await sam.locator("#message-input").press("Enter")
    await expect(rita.locator("#messages .message .content").last).to_have_text("Hi Rita, thanks!")
    await expect(rita.locator("#typing")).to_have_text("")
    await expect(sam.locator("#message-input")).to_have_value("")
    await expect(sam.locator(".read-marker")).to_have_text("Seen by Rita Recruiter")

    # Shift+Enter is a new line, not a send.
    await rita.locator("#message-input").fill("Line one")
    await rita.locator("#message-input").press("Shift+Enter")
    await rita.locator("#message-input").press_sequentially("line two")
    await rita.locator("#message-input").press("Enter")
    await expect(sam.locator("#messages .message .content").last).to_have_text("Line one\nline two")
    browser.check()


async def test_offline_reader_catches_up_after_reconnecting(browser: Browser, api):
    recruiter, student, conversation = await conversation_between(api, "Are you there?")
    path = f"/messages/{conversation['id']}"
    rita = await browser.page(recruiter, path)
    sam = await browser.page(student, path)
    await expect(sam.locator("#messages .message .content")).to_have_text(["Are you there?"])

    # The browser goes offline: the page drops its socket and shows the banner.
    await sam.context.set_offline(True)
    await expect(sam.locator("#offline-banner")).to_be_visible()

    for text in ("First while you were away", "Second while you were away"):
        await rita.locator("#message-input").fill(text)
        await rita.locator("#message-input").press("Enter")
        await expect(rita.locator("#messages .message.mine .content").last).to_have_text(text)
    await expect(sam.locator("#messages .message .content")).to_have_text(["Are you there?"])

    await sam.context.set_offline(False)
    await expect(sam.locator("#messages .message .content")).to_have_text(
        ["Are you there?", "First while you were away", "Second while you were away"]
    )
    await expect(sam.locator("#offline-banner")).to_be_hidden()
    await expect(rita.locator(".read-marker")).to_have_text("Seen by Sam Student")
    browser.check()


async def test_older_history_loads_when_scrolling_up(browser: Browser, api):
    recruiter, student, conversation = await conversation_between(api)
    url = f"/api/conversations/{conversation['id']}/messages"
    for n in range(1, 46):  # two senders: each stays under the per-user send burst
        sender = recruiter if n % 2 else student
        await api.post(url, {"content": f"message {n}"}, as_=sender, expect=201)
    page = await browser.page(student, f"/messages/{conversation['id']}")
    messages = page.locator("#messages .message .content")
    await expect(messages).to_have_count(30)
    await expect(messages.last).to_have_text("message 45")
    await page.locator("#messages").evaluate("node => { node.scrollTop = 0; }")
    await expect(messages).to_have_count(45)
    await expect(messages.first).to_have_text("message 1")
    await expect(messages.last).to_have_text("message 45")
    browser.check()


async def test_logging_out_elsewhere_sends_an_open_chat_to_log_in(browser: Browser, api):
    _, student, conversation = await conversation_between(api, "Hello")
    page = await browser.page(student, f"/messages/{conversation['id']}")
    await expect(page.locator("#messages .message")).to_have_count(1)
    csrf = next(c["value"] for c in await page.context.cookies() if c["name"] == "rizeos_csrf")
    response = await page.context.request.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status == 204
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Fmessages%2F"))
    browser.check()
