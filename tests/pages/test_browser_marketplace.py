"""In a real browser: the marketplace (cards with cover, seller and badge, stars, delivery and
"from" price; the filter form with each refusal beside its control; sorts), a gig page's
rating summary and reviews with the seller's reply, the freelancer's rating on their
profile, and the gig editor's revisions per tier. Photographed at 390 and 1280 px, light
and dark (RIZEOS_SCREENSHOTS=dir keeps the pictures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.pages.conftest import Browser
from tests.pages.test_screenshots import UNLABELLED
from tests.reviews.conftest import COMPLETE, order_through

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
VIEWS = [
    ("390-light", {"width": 390, "height": 844}, "light"),
    ("390-dark", {"width": 390, "height": 844}, "dark"),
    ("1280-light", {"width": 1280, "height": 800}, "light"),
    ("1280-dark", {"width": 1280, "height": 800}, "dark"),
]


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = Path(os.environ.get("RIZEOS_SCREENSHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def tiers(price: int, currency: str = "USD", days: int = 3) -> dict:
    one = {"price": price, "currency": currency, "delivery_days": days, "description": "Basic"}
    return {"basic": one, "standard": {**one, "price": price * 2, "revisions": 3}}


async def market(api) -> dict:
    """Three sellers' gigs (one with a cover image), one reviewed 5 stars with a reply."""
    fay = await api.sign_up(["freelancer"], full_name="Fay Freelancer")
    sam = await api.sign_up(["freelancer"], full_name="Sam Seller")
    buyer = await api.sign_up(["employer"], full_name="Bea Buyer")
    cover = await api.upload(fay, "gig_media", PNG, content_type="image/png")
    logo = await api.gig(
        fay,
        title="I will design a clean logo for your startup",
        skills=["logo", "figma"],
        pricing_tiers=tiers(4000, days=2),
        media_gallery=[{"type": "image", "url": cover["url"], "title": "Cover"}],
    )
    api_gig = await api.gig(
        sam,
        title="I will build your REST API in Python",
        skills=["python", "api"],
        pricing_tiers=tiers(15000, days=7),
    )
    euro = await api.gig(
        sam, title="I will write your landing page copy", pricing_tiers=tiers(2500, "EUR")
    )
    order = await order_through(api, fay, buyer, logo, COMPLETE)
    await api.post(
        f"/api/orders/{order['id']}/review",
        {"rating": 5, "text": "Three great concepts, fast."},
        as_=buyer,
        expect=201,
    )
    await api.post(
        f"/api/orders/{order['id']}/review/reply", {"text": "Thanks, Bea!"}, as_=fay, expect=200
    )
    return {"fay": fay, "sam": sam, "buyer": buyer, "logo": logo, "api": api_gig, "euro": euro}


async def test_cards_filters_and_sorts(browser: Browser, api, target: Path):
    m = await market(api)
    page = await browser.page(m["buyer"], "/gigs")
    card = page.locator(f"[data-gig='{m['logo']['id']}']")
    await expect(card.locator("img.card-media")).to_be_visible()
    await expect(card.locator("[data-seller]")).to_have_text("Fay Freelancer")
    await expect(card.locator("[data-badge]")).to_have_text("Rising talent")
    await expect(card.locator(".rating")).to_contain_text("Rated 5.0 out of 5 from 1 review")
    await expect(card.locator("[data-delivery]")).to_have_text("2-day delivery")
    await expect(card.locator("[data-price]")).to_have_text("40.00 USD")
    other = page.locator(f"[data-gig='{m['api']['id']}']")
    await expect(other.locator("[data-badge]")).to_have_text("New seller")
    await expect(other.locator(".rating")).to_have_text("No reviews yet")
    assert await page.evaluate(UNLABELLED) == []

    # Lowest price needs a currency: the refusal sits beside the currency control.
    await page.get_by_label("Sort by").select_option("price")
    await page.get_by_role("button", name="Search").click()
    currency = page.get_by_label("Currency", exact=True)
    await expect(currency).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#err-currency")).to_contain_text("required")
    await expect(page.locator("#gig-results")).to_have_count(0)
    await currency.select_option("USD")
    await page.get_by_role("button", name="Search").click()
    titles = page.locator("#gig-results .card-title")
    await expect(titles).to_have_text(
        ["I will design a clean logo for your startup", "I will build your REST API in Python"]
    )
    await expect(page.get_by_label("Sort by")).to_have_value("price")

    await page.get_by_label("Max", exact=True).fill("12.345")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("#err-price_max")).to_contain_text("25.50")
    await page.get_by_label("Max", exact=True).fill("200")
    await page.get_by_label("Min", exact=True).fill("50")
    await page.get_by_role("button", name="Search").click()
    await expect(titles).to_have_text(["I will build your REST API in Python"])

    await page.goto("/gigs?min_rating=4.5")
    await expect(titles).to_have_text(["I will design a clean logo for your startup"])
    await expect(page.get_by_label("Rating", exact=True)).to_have_value("4.5")
    await page.goto("/gigs?max_delivery_days=3&sort=newest")
    await expect(titles).to_have_text(
        ["I will write your landing page copy", "I will design a clean logo for your startup"]
    )
    await page.goto("/gigs?sort=relevance")
    await expect(page.locator("#err-sort")).to_contain_text("search words")

    for name, viewport, scheme in VIEWS:
        shot = await browser.page(m["buyer"], "/gigs", viewport=viewport, color_scheme=scheme)
        await expect(shot.locator("#gig-results .card")).to_have_count(3)
        width = await shot.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page scrolls sideways ({width}px)"
        await shot.screenshot(path=str(target / f"marketplace-{name}.png"), full_page=True)
        errors = await browser.page(
            m["buyer"], "/gigs?sort=price&price_min=x", viewport=viewport, color_scheme=scheme
        )
        await expect(errors.locator("#err-price_min")).to_be_visible()
        await errors.screenshot(path=str(target / f"marketplace-errors-{name}.png"))
    browser.check()


async def test_gig_page_reviews_profile_rating_and_revisions_in_the_editor(
    browser: Browser, api, target: Path
):
    m = await market(api)
    page = await browser.page(None, f"/gigs/{m['logo']['id']}")
    await expect(page.locator("#reviews-summary")).to_contain_text("Rated 5.0 out of 5")
    review = page.locator("[data-review]")
    await expect(review).to_have_count(1)
    await expect(review).to_contain_text("Bea Buyer")
    await expect(review).to_contain_text("Three great concepts, fast.")
    await expect(review.locator("[data-reply]")).to_contain_text("Thanks, Bea!")
    await expect(page.locator("#seller-rating")).to_contain_text("from 1 review")
    await expect(page.locator("#tiers")).to_contain_text("3 revisions")
    for name, viewport, scheme in VIEWS:
        shot = await browser.page(
            m["buyer"], f"/gigs/{m['logo']['id']}", viewport=viewport, color_scheme=scheme
        )
        await expect(shot.locator("[data-review]")).to_have_count(1)
        width = await shot.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page scrolls sideways ({width}px)"
        await shot.screenshot(path=str(target / f"gig-reviews-{name}.png"), full_page=True)

    unreviewed = await browser.page(m["buyer"], f"/gigs/{m['api']['id']}")
    await expect(unreviewed.locator("#reviews-summary")).to_contain_text("No reviews yet")
    await expect(unreviewed.locator("[data-review]")).to_have_count(0)

    profile = await browser.page(m["buyer"], f"/people/{m['fay'].id}")
    await expect(profile.locator("#profile-rating")).to_contain_text("Rated 5.0 out of 5")
    await profile.screenshot(path=str(target / "profile-rating-1280-light.png"))
    plain = await browser.page(m["buyer"], f"/people/{m['sam'].id}")
    await expect(plain.locator("#profile-header")).to_be_visible()
    await expect(plain.locator("#profile-rating")).to_have_count(0)

    editor = await browser.page(m["sam"], f"/gigs/{m['api']['id']}/edit")
    basic = editor.locator("[data-tier=basic]")
    await expect(basic.get_by_label("Revisions")).to_have_value("1")
    await basic.get_by_label("Revisions").fill("11")
    await editor.get_by_role("button", name="Save").click()
    await expect(basic.locator(".field-error")).to_be_visible()
    await basic.get_by_label("Revisions").fill("4")
    await editor.get_by_role("button", name="Save").click()
    await editor.wait_for_url(f"**/gigs/{m['api']['id']}")
    gig = await api.get(f"/api/gigs/{m['api']['id']}")
    assert gig["pricing_tiers"]["basic"]["revisions"] == 4
    assert gig["pricing_tiers"]["standard"]["revisions"] == 3
    await editor.set_viewport_size({"width": 390, "height": 844})
    await editor.goto(f"/gigs/{m['api']['id']}/edit")
    await editor.locator("[data-tier=basic]").screenshot(
        path=str(target / "gig-editor-revisions-390.png")
    )
    browser.check()
