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


async def test_at_phone_width_the_list_and_the_conversation_are_two_screens(browser: Browser, api):
    _, student, conversation = await conversation_between(api, "Hello from Rita")
    sam = await browser.page(student)
    await sam.set_viewport_size({"width": 390, "height": 844})
    await sam.goto("/messages")
    entry = sam.locator("#conversation-list li", has_text="Rita Recruiter")
    await expect(entry).to_be_visible()
    await expect(sam.locator("#message-input")).to_be_hidden()

    await entry.get_by_role("link").click()
    await sam.wait_for_url(f"**/messages/{conversation['id']}")
    await expect(sam.locator("#messages .message .content")).to_have_text(["Hello from Rita"])
    await expect(sam.locator("#conversation-list")).to_be_hidden()
    back = sam.get_by_role("link", name="← Conversations")
    await expect(back).to_be_visible()
    # The composer spans the screen (less the page's padding) and nothing is wider than it.
    assert 350 <= await box_width(sam, "#message-input") <= 390
    for part in ("#conversation", ".conversation-head", "#composer", "#messages"):
        box = await sam.locator(part).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (part, box)
    await expect(sam.get_by_role("button", name="Mute")).to_be_in_viewport()
    overflow = await sam.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, f"the page is {overflow} px wide at 390 px"
    # The composer is on screen without scrolling the page.
    composer = await sam.locator("#composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 844

    await sam.locator("#message-input").fill("Typed on a phone")
    await sam.locator("#message-input").press("Enter")
    await expect(sam.locator("#messages .message.mine .content")).to_have_text(["Typed on a phone"])
    await back.click()
    await sam.wait_for_url("**/messages")
    await expect(entry).to_contain_text("You: Typed on a phone")
    await expect(sam.locator("#message-input")).to_be_hidden()
    browser.check()
