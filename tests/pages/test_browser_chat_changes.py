"""In a real browser, on two server instances: the sender edits and deletes a message and
both people react; the other side sees each change live, a reader who was offline meanwhile
catches up on all of them when the connection is back (sync by rev), and a tab opened later
shows the same state."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.messaging.live import two_instances
from tests.pages.conftest import Browser
from tests.pages.instances import alerts_live, page_on
from tests.pages.test_browser_chat import conversation_between

DELETE = "Delete this message for everyone?"


@pytest.fixture
async def instances(database_url, redis_server_url, redis_prefix):
    async with two_instances(database_url, redis_server_url, redis_prefix) as pair:
        yield pair


def message(page: Page, text: str):
    return page.locator("#messages .message", has_text=text)


async def send(page: Page, text: str) -> None:
    await page.locator("#message-input").fill(text)
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#messages .message.mine:not(.pending) .content").last).to_have_text(
        text
    )


async def react(page: Page, text: str, emoji: str) -> None:
    target = message(page, text)
    await target.hover()
    await target.get_by_role("button", name="React", exact=True).click()
    await target.get_by_role("button", name=f"React {emoji}").click()


async def expect_final_state(page: Page) -> None:
    contents = page.locator("#messages .message .content")
    await expect(contents).to_have_text(
        ["Hello Sam, welcome aboard!", "Thanks, got it", "This message was deleted"]
    )
    await expect(message(page, "welcome aboard").locator(".edited")).to_have_text("edited")
    await expect(page.locator("#messages .message.deleted")).to_have_count(1)
    await expect(page.get_by_text("Wrong chat, sorry")).to_have_count(0)
    chip = message(page, "Thanks, got it").locator(".reaction")
    await expect(chip).to_have_count(1)
    await expect(chip).to_have_text("🎉2")


async def test_edits_deletions_and_reactions_are_seen_live_and_caught_up(
    browser: Browser, api, instances
):
    a, b = instances
    browser.confirms.add(DELETE)
    recruiter, student, conversation = await conversation_between(api, "Hello Sam!")
    path = f"/messages/{conversation['id']}"
    rita = await page_on(browser, a, recruiter, path)
    sam = await page_on(browser, b, student, path)
    phone = await page_on(browser, a, student, path, width=390)  # Sam's other device
    for page in (rita, sam, phone):
        await expect(page.locator("#messages .message")).to_have_count(1)
        await alerts_live(page)
    await send(sam, "Thanks, got it")
    await expect(message(phone, "Thanks, got it")).to_have_count(1)
    # The phone loses its connection; everything below happens while it is away.
    await phone.context.set_offline(True)
    await expect(phone.locator("#offline-banner")).to_be_visible()

    # Rita edits her first message: Sam sees the new text and the mark, live.
    first = message(rita, "Hello Sam!")
    await first.hover()
    await first.get_by_role("button", name="Edit message").click()
    editor = rita.get_by_role("textbox", name="Edit message")
    await expect(editor).to_have_value("Hello Sam!")
    await editor.fill("")
    await editor.press("Enter")
    await expect(rita.locator(".edit-form .field-error")).to_have_text(
        "Write something, or delete the message instead."
    )
    await editor.fill("Hello Sam, welcome aboard!")
    await editor.press("Enter")
    await expect(message(rita, "welcome aboard").locator(".edited")).to_be_visible()
    await expect(message(sam, "Hello Sam, welcome aboard!").locator(".edited")).to_be_visible()
    await expect(sam.get_by_text("Hello Sam!", exact=True)).to_have_count(0)

    # A message sent by mistake, deleted: a tombstone for everyone.
    await send(rita, "Wrong chat, sorry")
    await expect(message(sam, "Wrong chat, sorry")).to_have_count(1)
    mistake = message(rita, "Wrong chat, sorry")
    await mistake.hover()
    await mistake.get_by_role("button", name="Delete message").click()
    await expect(rita.locator("#messages .message.deleted .content")).to_have_text(
        "This message was deleted"
    )
    await expect(sam.locator("#messages .message.deleted .content")).to_have_text(
        "This message was deleted"
    )
    await expect(sam.get_by_text("Wrong chat, sorry")).to_have_count(0)
    # Only the sender edits or deletes: Sam has no such buttons on Rita's messages.
    await expect(
        message(sam, "welcome aboard").get_by_role("button", name="Edit message")
    ).to_have_count(0)

    # Reactions: counts, and who reacted on hover; a second click takes yours back.
    await react(rita, "Thanks, got it", "🎉")
    chip = message(sam, "Thanks, got it").locator(".reaction")
    await expect(chip).to_have_text("🎉1")
    await expect(chip).to_have_attribute("title", "Rita Recruiter reacted 🎉")
    await chip.click()  # Sam adds his
    await expect(message(rita, "Thanks, got it").locator(".reaction")).to_have_text("🎉2")
    await expect(message(rita, "Thanks, got it").locator(".reaction")).to_have_attribute(
        "title", "You, Sam Student reacted 🎉"
    )
    await react(rita, "Thanks, got it", "👍")
    await expect(message(sam, "Thanks, got it").locator(".reaction")).to_have_count(2)
    await message(rita, "Thanks, got it").locator(".reaction", has_text="👍").click()  # back
    await expect(message(sam, "Thanks, got it").locator(".reaction")).to_have_count(1)
    await expect_final_state(sam)
    await expect_final_state(rita)

    # The phone comes back: it catches up on every change it missed, exactly.
    await phone.context.set_offline(False)
    await expect(phone.locator("#offline-banner")).to_be_hidden()
    await expect_final_state(phone)

    # A tab opened later, on either instance, shows the same.
    for server in (a, b):
        later = await page_on(browser, server, student, path, context=sam.context)
        await expect_final_state(later)
        await later.close()
    browser.check()
