"""In a real browser: the chat composer keeps its width after an attachment is sent (it used
to collapse to a sliver until a reload), and at a phone's width (390 px) the conversation
list and the open conversation are two screens, with the composer full width."""

from __future__ import annotations

from playwright.async_api import expect

from tests.pages.conftest import Browser
from tests.pages.test_browser_chat import conversation_between
from tests.pages.test_browser_uploads import PNG


async def box_width(page, selector: str) -> float:
    box = await page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return box["width"]


async def test_the_composer_keeps_its_width_after_an_attachment_is_sent(browser: Browser, api):
    _, student, conversation = await conversation_between(api, "Send me the sketch")
    sam = await browser.page(student)
    await sam.set_viewport_size({"width": 1280, "height": 800})
    await sam.goto(f"/messages/{conversation['id']}")
    await expect(sam.locator("#messages .message")).to_have_count(1)
    before = await box_width(sam, "#message-input")
    assert before > 500

    await sam.get_by_label("Attach a file").set_input_files(
        files=[{"name": "sketch.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(sam.locator("#messages .message.mine img.thumb")).to_have_js_property(
        "naturalWidth", 1
    )
    after = await box_width(sam, "#message-input")
    assert after == before, f"the message box went from {before} px to {after} px"
    browser.check()
