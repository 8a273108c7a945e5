"""In a real browser, issue 16's "Done when": a buyer orders a gig's standard package with
requirements; the freelancer sees it arrive live, accepts, delivers a file; the buyer asks for
one revision, the freelancer delivers again, the buyer accepts and leaves 5 stars; the gig's
card then shows the rating. And an order left delivered completes by itself after a short
ORDER_AUTO_COMPLETE_DAYS, even though the server that queued the completion was stopped
before it was due and another one (the restart) ran it.

The order page, the dashboards and the order form are also looked at on a phone and a
desktop, light and dark (screenshots kept in RIZEOS_ORDER_SHOTS when set)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from server.config import Settings
from tests.client import User
from tests.enrichment.conftest import pdf_resume
from tests.pages.conftest import Browser
from tests.pages.instances import page_on
from tests.pages.test_browser_every_page import OVERFLOW
from tests.pages.test_browser_uploads import PNG
from tests.pages.test_screenshots import UNLABELLED
from tests.processes import ServerProcess

SHOTS_ENV = "RIZEOS_ORDER_SHOTS"
REQUIREMENTS = "A landing page for my bakery: menu, opening hours and a map. Colours: flour & rye."
# ~8.6 s: long enough to stop the server that queued the completion before it is due.
SHORT_AUTO_COMPLETE_DAYS = "0.0001"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def people(api) -> tuple[User, User, dict]:
    freelancer = await api.sign_up(["freelancer"], full_name="Fay Freelancer")
    buyer = await api.sign_up(["professional"], full_name="Bo Baker")
    gig = await api.gig(freelancer, title="I will build your bakery's landing page")
    return freelancer, buyer, gig


async def looks_right(page: Page, where: str, shots: Path, name: str) -> None:
    """Fits the width, every control labelled; a screenshot to look at."""
    assert await page.evaluate(OVERFLOW) is None, where
    assert await page.evaluate(UNLABELLED) == [], where
    await page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def status(page: Page):
    return page.locator("#order-summary [data-status]")


async def deliver(page: Page, message: str, filename: str, data: bytes, mime: str) -> None:
    form = page.locator("form[data-action=deliver]")
    await form.get_by_label("Message to the buyer").fill(message)
    await form.get_by_label("Files (documents, images, videos; up to 10)").set_input_files(
        files=[{"name": filename, "mimeType": mime, "buffer": data}]
    )
    await expect(form.locator("[data-upload-status]")).to_have_text(f"Uploaded {filename}")
    await form.get_by_role("button", name="Deliver").click()


async def test_buyer_orders_freelancer_delivers_twice_buyer_reviews(
    browser: Browser, api, shots: Path
):
    freelancer, buyer, gig = await people(api)
    seller = await browser.page(freelancer, "/me/orders?role=seller")
    await expect(seller.locator("#order-board")).to_have_attribute("aria-busy", "false")
    await expect(seller.locator("#orders-requested")).to_contain_text("No new requests.")

    # The buyer picks the standard package; empty requirements are refused at the field.
    shop = await browser.page(buyer, f"/gigs/{gig['id']}")
    form = shop.locator("#order-form")
    await expect(form).to_contain_text("No payment is taken on RizeOS")
    await expect(form.get_by_role("radio", name=re.compile("^Standard"))).to_be_visible()
    await form.get_by_role("radio", name=re.compile("^Standard")).check()
    await form.get_by_role("button", name="Place order").click()
    requirements = form.get_by_label("What do you need?")
    await expect(requirements).to_have_attribute("aria-invalid", "true")
    await expect(form.locator(".field-error")).to_have_count(1)
    await requirements.fill(REQUIREMENTS)
    await form.get_by_label("Attachments (optional, up to 10)").set_input_files(
        files=[{"name": "menu.pdf", "mimeType": "application/pdf", "buffer": pdf_resume("Menu")}]
    )
    await expect(form.locator("[data-upload-status]")).to_have_text("Uploaded menu.pdf")
    await form.get_by_role("button", name="Place order").click()
    await shop.wait_for_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    order_id = shop.url.rsplit("/", 1)[1]
    order_path = f"/orders/{order_id}"
    await expect(status(shop)).to_have_text("Requested")
    await expect(shop.locator("#payment-note")).to_contain_text(
        "arrange payment with the freelancer"
    )
    await expect(shop.locator("#order-requirements")).to_contain_text(REQUIREMENTS)
    await expect(
        shop.locator("#order-requirements").get_by_role("link", name="menu.pdf")
    ).to_be_visible()
    await expect(shop.locator("#order-summary")).to_contain_text("150.00 USD")
    # The standard package's revisions, copied onto the order (2 in api.gig's tiers).
    allowed = (await api.get(f"/api/orders/{order_id}", as_=buyer))["revisions_allowed"]
    assert allowed >= 1
    await expect(shop.locator("#order-summary")).to_contain_text(f"0 of {allowed} used")

    # The freelancer's dashboard shows it live, marked new; accepting sets the due date.
    arrived = seller.locator("#orders-requested [data-order-id]")
    await expect(arrived).to_have_count(1)
    await expect(arrived).to_contain_text("I will build your bakery's landing page")
    await expect(arrived.locator(".new-badge")).to_be_visible()
    await expect(arrived).to_contain_text("Standard · 150.00 USD · from Bo Baker")
    await looks_right(seller, "seller dashboard with a request", shots, "orders-seller-1280")
    await arrived.get_by_role("button", name=re.compile("^Accept")).click()
    in_progress = seller.locator("#orders-active [data-order-id]")
    await expect(in_progress).to_have_count(1)
    await expect(in_progress).to_contain_text("Due ")
    await expect(status(shop)).to_have_text("In progress")  # the buyer's page, live

    # The freelancer delivers a file from the order page.
    await in_progress.get_by_role("link", name=re.compile("^Deliver")).click()
    await seller.wait_for_url(f"**{order_path}")
    await expect(seller.locator("#payment-note")).to_contain_text("arrange payment with the buyer")
    await deliver(seller, "Here is the first version.", "landing-v1.png", PNG, "image/png")
    await expect(status(seller)).to_have_text("Delivered")

    # The buyer sees the delivery live and asks for one revision.
    await expect(status(shop)).to_have_text("Delivered")
    first = shop.locator("[data-delivery='1']")
    await expect(first).to_contain_text("Here is the first version.")
    await expect(first.get_by_role("link", name="landing-v1.png")).to_be_visible()
    await expect(shop.locator("#order-summary")).to_contain_text("Completes automatically")
    revision = shop.locator("form[data-action=request-revision]")
    plural = "" if allowed == 1 else "s"
    await expect(revision).to_contain_text(f"{allowed} of {allowed} revision{plural} left.")
    await revision.get_by_role("button", name="Ask for a revision").click()
    await expect(revision.get_by_label("What should change?")).to_have_attribute(
        "aria-invalid", "true"
    )
    await revision.get_by_label("What should change?").fill("Bigger logo, please.")
    await revision.get_by_role("button", name="Ask for a revision").click()
    await expect(status(shop)).to_have_text("In revision")
    await expect(first).to_contain_text("Bigger logo, please.")
    await expect(shop.locator("#order-summary")).to_contain_text(f"1 of {allowed} used")

    # The freelancer hears of it live and delivers again.
    await expect(status(seller)).to_have_text("In revision")
    await expect(seller.locator("[data-delivery='1']")).to_contain_text("Bigger logo, please.")
    await deliver(seller, "Logo enlarged.", "landing-v2.pdf", pdf_resume("v2"), "application/pdf")
    await expect(status(seller)).to_have_text("Delivered")

    # The buyer accepts the delivery and leaves five stars.
    await expect(shop.locator("[data-delivery='2']")).to_contain_text("Logo enlarged.")
    await shop.get_by_role("button", name="Accept delivery").click()
    await expect(status(shop)).to_have_text("Completed")
    review = shop.locator("#review-form")
    await review.get_by_role("button", name="Post review").click()
    await expect(review.locator(".field-error, .form-error:not([hidden])")).not_to_have_count(0)
    await review.get_by_label("5 stars").check()
    await review.get_by_label("Your review").fill("Lovely page, on time, friendly.")
    await review.get_by_role("button", name="Post review").click()
    posted = shop.locator("#order-review")
    await expect(posted.get_by_role("img", name="5 out of 5 stars")).to_be_visible()
    await expect(posted).to_contain_text("Lovely page, on time, friendly.")
    # Within its editing window the buyer may still change it.
    await shop.locator("#order-review-section summary", has_text="Edit your review").click()
    edit = shop.locator("#review-edit-form")
    await expect(edit.get_by_label("5 stars")).to_be_checked()
    await edit.get_by_label("Your review (edit)").fill("Lovely page, on time. Recommended!")
    await edit.get_by_role("button", name="Save review").click()
    await expect(shop.locator("#order-review")).to_contain_text(
        "Lovely page, on time. Recommended!"
    )
    timeline = shop.locator("#order-timeline li")
    await expect(timeline).to_have_count(6)  # placed, accepted, delivered, revision, again, done
    await expect(shop.locator("#order-timeline")).to_contain_text("You accepted the delivery")
    await expect(shop.locator("#order-chat")).to_have_attribute(
        "href", re.compile(r"^/messages/[0-9a-f-]{36}$")
    )

    await looks_right(shop, "the completed order, reviewed", shots, "order-completed-buyer-1280")

    # The freelancer sees the review live and replies.
    await expect(status(seller)).to_have_text("Completed")
    await expect(seller.locator("#order-review")).to_contain_text("Lovely page")
    await seller.locator("#reply-form").get_by_label("Your reply").fill("Thank you, Bo!")
    await seller.locator("#reply-form").get_by_role("button", name="Post reply").click()
    await expect(seller.locator("#order-review .review-reply")).to_contain_text("Thank you, Bo!")
    await looks_right(seller, "the completed order, replied", shots, "order-completed-seller-1280")
    assert (await api.get(f"/api/orders/{order_id}/review", as_=buyer))["reply"] == (
        "Thank you, Bo!"
    )

    # The gig's card on the marketplace shows the rating.
    market = await browser.page(buyer, "/gigs")
    card = market.locator("article", has_text="I will build your bakery's landing page")
    await expect(card.locator(".rating")).to_contain_text("Rated 5.0 out of 5 from 1 review")
    await expect(card.locator(".rating")).to_contain_text("5.0 (1)")

    # Both dashboards list it as closed.
    await seller.goto("/me/orders?role=seller")
    await expect(seller.locator("#orders-closed [data-order-id]")).to_have_count(1)
    await shop.goto("/me/orders?role=buyer")
    await expect(shop.locator("#orders-closed [data-order-id]")).to_contain_text("Completed")
    browser.check()


async def test_order_pages_fit_a_phone_and_a_desktop_light_and_dark(
    browser: Browser, api, shots: Path
):
    freelancer, buyer, gig = await people(api)
    order = await api.order(buyer, gig["id"], tier="standard", requirements=REQUIREMENTS)
    await api.order_action(freelancer, order["id"], "accept")
    await api.order_action(
        freelancer, order["id"], "deliver", {"message": "First version, as asked.", "files": []}
    )
    await api.order(buyer, gig["id"], tier="premium")  # a new request on the dashboard
    views = [
        (buyer, f"/gigs/{gig['id']}", "order-form", "#order-form"),
        (buyer, f"/orders/{order['id']}", "order-buyer", "form[data-action=complete]"),
        (freelancer, f"/orders/{order['id']}", "order-seller", "#order-deliveries"),
        (freelancer, "/me/orders?role=seller", "orders-seller", "#orders-requested li"),
        (buyer, "/me/orders?role=buyer", "orders-buyer", "#orders-delivered li"),
    ]
    for user, path, name, ready in views:
        for width in (390, 1280):
            for scheme in ("light", "dark"):
                page = await browser.page(
                    user, viewport={"width": width, "height": 844}, color_scheme=scheme
                )
                await page.goto(path)
                await expect(page.locator(ready).first).to_be_visible()
                await looks_right(
                    page, f"{path} {width} {scheme}", shots, f"{name}-{width}-{scheme}"
                )
                await page.context.close()
    # The gig's own freelancer gets no order form; a visitor is asked to log in.
    own = await browser.page(freelancer, f"/gigs/{gig['id']}")
    await expect(own.locator("#order-form")).to_have_count(0)
    visitor = await browser.page(None, f"/gigs/{gig['id']}")
    await expect(visitor.get_by_role("link", name="Log in to order")).to_be_visible()
    browser.check()


async def test_a_delivered_order_completes_by_itself_across_a_restart(
    browser: Browser, api, settings: Settings, redis_prefix: str
):
    # The test's own app runs no jobs (no worker with a database URL, as configured here):
    # the two server processes below are the server before and after the restart.
    freelancer, buyer, gig = await people(api)
    order = await api.order(buyer, gig["id"], tier="standard")
    await api.order_action(freelancer, order["id"], "accept")
    env = {
        "ORDER_AUTO_COMPLETE_DAYS": SHORT_AUTO_COMPLETE_DAYS,
        "RUN_WORKER": "yes",
        "MIGRATE_ON_START": "false",
        "PUBLIC_URL": settings.public_url,
        "DATA_DIR": str(settings.data_dir),
    }
    first = await ServerProcess(settings.database_url, None, redis_prefix, **env).start()
    try:
        seller = await page_on(browser, first, freelancer, f"/orders/{order['id']}")
        await (
            seller.locator("form[data-action=deliver]")
            .get_by_label("Message to the buyer")
            .fill("All done: the page is live.")
        )
        await seller.get_by_role("button", name="Deliver").click()
        await expect(status(seller)).to_have_text("Delivered")
        await expect(seller.locator("#order-summary")).to_contain_text("Completes automatically")
        await seller.context.close()
    finally:
        await first.stop()
    # Stopped before the completion was due: the restarted server is the one to run it.
    left = await api.get(f"/api/orders/{order['id']}", as_=buyer)
    assert left["status"] == "delivered", left["status"]
    assert datetime.fromisoformat(left["auto_complete_at"]) > datetime.now(UTC)

    second = await ServerProcess(settings.database_url, None, redis_prefix, **env).start()
    try:
        shop = await page_on(browser, second, buyer, f"/orders/{order['id']}")
        await expect(status(shop)).to_have_text("Completed", timeout=30_000)
        await expect(shop.locator("#order-timeline")).to_contain_text("Completed automatically")
        await expect(shop.locator("#order-summary")).to_contain_text("(automatically)")
        await expect(shop.locator("#review-form")).to_be_visible()
        done = await api.get(f"/api/orders/{order['id']}", as_=buyer)
        assert done["status"] == "completed" and done["auto_completed"] is True
        assert done["events"][-1]["actor_id"] is None
        await shop.context.close()
    finally:
        await second.stop()
    browser.check()


async def test_markup_typed_into_an_order_is_shown_as_text(browser: Browser, api):
    script, img = "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'
    freelancer = await api.sign_up(["freelancer"], full_name=f"Fay {img}")
    buyer = await api.sign_up(["professional"], full_name=f"Bo {script}")
    gig = await api.gig(freelancer, title=f"Gig {img}")
    seller = await browser.page(freelancer, "/me/orders?role=seller")
    await expect(seller.locator("#order-board")).to_have_attribute("aria-busy", "false")
    order = await api.order(buyer, gig["id"], requirements=f"Needs {script} and {img}")
    # Live: the row and the toast, built from the notification and the API's answer.
    row = seller.locator("#orders-requested [data-order-id]")
    await expect(row.get_by_role("link", name=f"Gig {img}", exact=True)).to_be_visible()
    await expect(row).to_contain_text(f"from Bo {script}")
    await expect(seller.locator("#toasts")).to_contain_text(f"New order for “Gig {img}”")
    await api.order_action(freelancer, order["id"], "accept")
    await api.order_action(
        freelancer, order["id"], "deliver", {"message": f"Done {img}", "files": []}
    )
    shop = await browser.page(buyer, f"/orders/{order['id']}")
    await expect(shop.locator("#order-title")).to_have_text(f"Gig {img}")
    await expect(shop.locator("#order-requirements")).to_contain_text(f"Needs {script} and {img}")
    await expect(shop.locator("[data-delivery='1']")).to_contain_text(f"Done {img}")
    await expect(shop.locator("#order-timeline")).to_contain_text(f"Fay {img} delivered")
    assert await shop.locator("#order img, #order script").count() == 0
    browser.check()


async def test_freelancer_declines_on_the_dashboard_buyer_cancels_on_the_order(
    browser: Browser, api, shots: Path
):
    freelancer, buyer, gig = await people(api)
    declined = await api.order(buyer, gig["id"], requirements="A menu card.")
    cancelled = await api.order(buyer, gig["id"], requirements="A flyer.")
    seller = await browser.page(
        freelancer, "/me/orders?role=seller", viewport={"width": 390, "height": 844}
    )
    row = seller.locator(f"[data-order-id='{declined['id']}']")
    await row.locator("summary", has_text="Decline…").click()
    await row.get_by_role("button", name="Decline order").click()
    reason = row.get_by_label("Reason for declining")
    await expect(reason).to_have_attribute("aria-invalid", "true")
    await reason.fill("Fully booked this month, sorry.")
    await looks_right(seller, "the dashboard, declining", shots, "orders-seller-declining-390")
    await row.get_by_role("button", name="Decline order").click()
    closed = seller.locator(f"#orders-closed [data-order-id='{declined['id']}']")
    await expect(closed.locator("[data-status]")).to_have_text("Declined")
    await expect(seller.locator("#orders-requested [data-order-id]")).to_have_count(1)

    shop = await browser.page(buyer, f"/orders/{declined['id']}")
    await expect(status(shop)).to_have_text("Declined")
    await expect(shop.locator("#order-timeline")).to_contain_text("Fully booked this month")
    await expect(shop.locator("#order-actions")).to_have_count(0)  # nothing left to do
    await shop.goto(f"/orders/{cancelled['id']}")
    await expect(shop.locator("#order-waiting")).to_contain_text("Waiting for the freelancer")
    await shop.locator("summary", has_text="Cancel the order…").click()
    await shop.get_by_label("Reason for cancelling").fill("Found someone local.")
    await shop.get_by_role("button", name="Cancel order").click()
    await expect(status(shop)).to_have_text("Cancelled")
    # The freelancer's dashboard hears of it live.
    gone = seller.locator(f"#orders-closed [data-order-id='{cancelled['id']}']")
    await expect(gone.locator("[data-status]")).to_have_text("Cancelled")
    await expect(seller.locator("#orders-requested")).to_contain_text("No new requests.")
    browser.check()
