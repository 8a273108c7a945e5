"""In a real browser: an order's conversation (issue 16) is titled after the order and
links to it, and the system lines its transitions post are centred and muted, with no
sender, menu or reactions: live, and the same after a reload; at 390 and 1280 px, light
and dark."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.messaging.test_system_lines import order_conversation, post
from tests.pages.conftest import Browser
from tests.pages.instances import alerts_live


async def assert_centred_and_plain(page: Page, text: str) -> None:
    line = page.locator("#messages .message.system", has_text=text)
    await expect(line).to_have_count(1)
    await line.hover()
    await expect(line.locator(".message-actions, .sender, .reactions, button")).to_have_count(0)
    box = await line.bounding_box()
    pane = await page.locator("#messages").bounding_box()
    assert box is not None and pane is not None
    middle, pane_middle = box["x"] + box["width"] / 2, pane["x"] + pane["width"] / 2
    assert abs(middle - pane_middle) <= 8, (box, pane)


async def test_system_lines_are_centred_live_and_after_a_reload(
    browser: Browser, api, db, tmp_path
):
    buyer = await api.sign_up(["professional"], full_name="Bea Buyer")
    seller = await api.sign_up(["freelancer"], full_name="Sam Seller")
    conversation_id = await order_conversation(db, buyer, seller, "Logo design")
    await post(db, conversation_id, buyer, "Bea Buyer ordered the Standard tier.", "created")
    path = f"/messages/{conversation_id}"
    order_id = (await api.get(f"/api/conversations/{conversation_id}", as_=seller))["context"]["id"]

    sam = await browser.page(seller, path)
    await expect(sam.locator("#conversation-title")).to_have_text("Order: Logo design")
    about = sam.locator("#conversation-about")
    await expect(about).to_have_text("View the order · with Bea Buyer")
    await expect(about.get_by_role("link", name="View the order")).to_have_attribute(
        "href", f"/orders/{order_id}"
    )
    entry = sam.locator("#conversation-list li", has_text="Order: Logo design")
    await expect(entry).to_contain_text("Bea Buyer ordered the Standard tier.")
    await assert_centred_and_plain(sam, "ordered the Standard tier")

    # Live: a transition's line and a person's message, each as it is.
    await post(db, conversation_id, seller, "Sam Seller accepted the order.", "accepted")
    await expect(sam.locator("#messages .message.system")).to_have_count(2)
    await api.post(
        f"/api/conversations/{conversation_id}/messages", {"content": "Thanks Sam!"}, as_=buyer
    )
    await expect(sam.locator("#messages .message:not(.system) .content")).to_have_text(
        ["Thanks Sam!"]
    )
    await expect(sam.locator("#messages .message .content")).to_have_text(
        [
            "Bea Buyer ordered the Standard tier.",
            "Sam Seller accepted the order.",
            "Thanks Sam!",
        ]
    )
    await assert_centred_and_plain(sam, "accepted the order")
    # The system line is nobody's words: no "You: " before it in the list.
    await post(db, conversation_id, seller, "Sam Seller delivered the order.", "delivered")
    await expect(entry).to_contain_text("Sam Seller delivered the order.")
    await expect(entry).not_to_contain_text("You:")

    await sam.reload()
    await expect(sam.locator("#messages .message.system")).to_have_count(3)
    await assert_centred_and_plain(sam, "delivered the order")

    for scheme in ("light", "dark"):
        for width, height in ((390, 844), (1280, 800)):
            page = await browser.page(
                buyer, path, viewport={"width": width, "height": height}, color_scheme=scheme
            )
            await expect(page.locator("#messages .message.system")).to_have_count(3)
            await expect(page.locator("#conversation-title")).to_have_text("Order: Logo design")
            await assert_centred_and_plain(page, "accepted the order")
            overflow = await page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"the page is {overflow} px wide at {width} px"
            await page.screenshot(path=str(tmp_path / f"order-chat-{width}-{scheme}.png"))
            await page.context.close()
    browser.check()


async def test_a_system_line_counts_as_unread_but_raises_no_chat_toast(browser: Browser, api, db):
    """The order's own notification tells of a transition; the chat alert would say it twice."""
    buyer = await api.sign_up(["professional"], full_name="Bea Buyer")
    seller = await api.sign_up(["freelancer"], full_name="Sam Seller")
    conversation_id = await order_conversation(db, buyer, seller, "Logo design")
    board = await browser.page(buyer, "/jobs")
    await alerts_live(board)
    await post(db, conversation_id, seller, "Sam Seller accepted the order.", "accepted")
    await expect(board.locator("#messages-count")).to_have_text("1")
    await api.post(
        f"/api/conversations/{conversation_id}/messages", {"content": "Starting now"}, as_=seller
    )
    toasts = board.locator("#toasts a.toast")
    await expect(toasts).to_have_count(1)
    await expect(toasts).to_contain_text("Starting now")
    browser.check()
