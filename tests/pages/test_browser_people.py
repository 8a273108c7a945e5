"""In a real browser: the profile editor (lists of experience and education, a photo, one
confirmation per save, enrichment filling the editor live), the profile page, and the
freelancer's path: become a freelancer, publish a gig with pricing packages (optional ones
left out), edit it, find it as a card, and a client contacts them from the public gig page."""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.async_api import expect

from server.config import Settings
from tests.enrichment.conftest import pdf_resume
from tests.pages.conftest import Browser

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def with_worker(test):
    """Run the enrichment worker in the web process for this test (as the embedded setup
    does), so a resume is read for real."""
    test.with_worker = True
    return test


@pytest.fixture
def settings(settings: Settings, request) -> Settings:
    if getattr(request.function, "with_worker", False):
        return dataclasses.replace(settings, run_worker="yes")
    return settings


async def test_profile_editor_saves_skills_experience_and_education(browser: Browser, api):
    user = await api.sign_up(["student"], full_name="Ana")
    page = await browser.page(user, "/profile")
    await page.get_by_label("Headline").fill("CS student")
    await page.get_by_label("About you").fill("I like databases.")
    await page.get_by_label("Skills").fill("Python, SQL, python")
    await page.get_by_role("button", name="Add experience").click()
    item = page.locator("[data-list=experience] [data-item]").last
    await item.get_by_label("Title").fill("Intern")
    await item.get_by_label("Company").fill("Initech")
    await item.get_by_label("From").fill("2024-06-01")
    await item.get_by_label("To").fill("2024-01-01")
    await page.get_by_role("button", name="Add education").click()
    school = page.locator("[data-list=education] [data-item]").last
    await school.get_by_label("Institution").fill("Northfield University")
    await school.get_by_label("From year").fill("2022")
    await page.get_by_role("button", name="Add a link").click()
    work = page.locator("[data-list=portfolio] [data-item]").last
    await work.get_by_label("Title").fill("My robot")
    await work.get_by_label("Link").fill("https://example.com/robot")
    await page.get_by_role("button", name="Save profile").click()
    # The API refuses an end before the start; the error sits on that item's field.
    await expect(item.locator(".field-error")).to_be_visible()
    await expect(item.get_by_label("To")).to_have_attribute("aria-invalid", "true")
    await item.get_by_label("To").fill("2024-09-30")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#toasts")).to_contain_text("Profile saved")

    profile = await api.get(f"/api/profiles/{user.id}", as_=user)
    assert profile["headline"] == "CS student"
    assert profile["skills"]["claimed"] == ["Python", "SQL"]
    assert profile["experience"][0]["end_date"] == "2024-09-30"
    assert profile["education"][0] == {
        "institution": "Northfield University",
        "organization_id": None,
        "degree": None,
        "field": None,
        "start_year": 2022,
        "end_year": None,
    }
    assert profile["portfolio"][0]["url"] == "https://example.com/robot"
    await page.reload()
    await expect(page.get_by_label("Skills")).to_have_value("Python, SQL")
    await (
        page.locator("[data-list=education] [data-item]")
        .last.get_by_role("button", name="Remove")
        .click()
    )
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#toasts")).to_contain_text("Profile saved")
    assert (await api.get(f"/api/profiles/{user.id}", as_=user))["education"] == []

    await page.get_by_role("button", name="Add employer").click()
    await expect(page.get_by_role("link", name="Hiring")).to_be_visible()
    await page.get_by_role("button", name="Remove the student role").click()
    await expect(page.get_by_role("button", name="Add student")).to_be_visible()
    assert (await api.get("/api/me", as_=user))["user"]["roles"] == ["employer"]
    browser.check()


async def test_freelancer_publishes_a_gig_and_a_client_gets_in_touch(browser: Browser, api):
    freelancer = await api.sign_up(["professional"], full_name="Fay Freelancer")
    client = await api.sign_up(["employer"], full_name="Carl Client")
    page = await browser.page(freelancer, "/freelance")
    await page.get_by_role("button", name="Become a freelancer").click()
    await page.get_by_role("link", name="Create a gig").click()
    await page.get_by_label("Title").fill("REST APIs in Python")
    await page.get_by_label("Description").fill("aiohttp and PostgreSQL")
    await page.get_by_label("Skills").fill("Python, APIs")
    basic = page.locator("[data-tier=basic]")
    await basic.get_by_label("Price").fill("50")
    await basic.get_by_label("Delivery (days)").fill("7")
    await basic.get_by_label("What is included").fill("One endpoint")
    premium = page.locator("[data-tier=premium]")
    await expect(premium.get_by_label("Price")).to_be_hidden()
    await premium.get_by_label("Offer a Premium tier").check()
    await premium.get_by_label("Price").fill("20")
    await premium.get_by_label("Delivery (days)").fill("30")
    await premium.get_by_label("What is included").fill("A service")
    await page.get_by_role("button", name="Publish gig").click()
    await expect(premium.locator(".field-error")).to_be_visible()  # cheaper than basic
    await premium.get_by_label("Price").fill("400")
    # "**/gigs/*" already matches /gigs/new: wait for the navigation to the gig itself.
    async with page.expect_navigation(url="**/gigs/*"):
        await page.get_by_role("button", name="Publish gig").click()
    await expect(page.locator("#gig-title")).to_have_text("REST APIs in Python")
    await expect(page.locator(".tier")).to_have_count(2)
    await expect(page.locator(".tier").last).to_contain_text("400.00 USD")

    await page.get_by_role("link", name="Edit gig").click()
    await page.get_by_label("Title").fill("REST APIs in Python, tested")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#gig-title")).to_have_text("REST APIs in Python, tested")
    gig_path = page.url.replace(browser.base_url, "")
    assert gig_path.startswith("/gigs/")

    other = await browser.page(client, "/gigs?q=python")
    await other.get_by_role("link", name="REST APIs in Python, tested").click()
    await other.get_by_role("button", name="Contact the freelancer").click()
    await other.wait_for_url("**/messages/*")
    await expect(other.locator("#conversation-title")).to_have_text("Fay Freelancer")
    await other.locator("#message-input").fill("Can you start Monday?")
    await other.locator("#message-input").press("Enter")
    inbox = await browser.page(freelancer, "/messages")
    await expect(inbox.locator("#conversation-list")).to_contain_text("Can you start Monday?")

    browser.confirms.add("Delete this gig for good?")
    await page.goto(gig_path + "/edit")
    await page.get_by_role("button", name="Delete the gig").click()
    await page.wait_for_url("**/freelance")
    await expect(page.locator("#my-gigs")).to_contain_text("No gigs yet.")
    browser.check()


async def test_photo_shows_on_the_profile_and_each_save_confirms_once(browser: Browser, api):
    ana = await api.sign_up(["student"], full_name="Ana Lima")
    page = await browser.page(ana, "/profile")
    await expect(page.locator("#avatar-preview .avatar")).to_have_text("AL")  # initials
    await expect(page.locator("#completeness [data-percent]")).to_have_text("12")
    await page.get_by_label("Photo (PNG, JPEG or WebP, up to 2 MB)").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": PNG}]
    )
    photo = page.locator("#avatar-preview img.avatar")
    await expect(photo).to_have_attribute("src", re.compile(f"^{browser.base_url}/api/files/"))
    saved = page.locator("#toasts .toast", has_text="Profile saved")
    await expect(saved).to_have_count(1)
    await expect(page.locator("#completeness [data-percent]")).to_have_text("25")
    # A second save while the first confirmation is still up: still one confirmation.
    await page.get_by_label("Headline").fill("CS student at Northfield")
    await expect(page.locator("#save-status")).to_have_text("")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#save-status")).to_have_text("All changes saved.")
    await expect(saved).to_have_count(1)
    await expect(page.locator("#completeness [data-percent]")).to_have_text("38")
    url = (await api.get(f"/api/profiles/{ana.id}", as_=ana))["avatar_url"]
    assert await photo.get_attribute("src") == url
    await page.reload()  # the header shows the photo too, from the next page on
    await expect(page.locator(".topbar .who img.avatar")).to_have_attribute("src", url)

    viewer = await api.sign_up(["employer"])
    other = await browser.page(viewer, f"/people/{ana.id}")
    await expect(other.locator("#profile-header img.avatar")).to_have_attribute("src", url)
    await expect(other.locator("#profile-name")).to_have_text("Ana Lima")
    await expect(other.locator("#profile-headline")).to_have_text("CS student at Northfield")
    await expect(other.locator("#completeness")).to_have_count(0)  # the owner's hint only

    await page.get_by_role("button", name="Remove photo").click()
    await expect(page.locator("#avatar-preview .avatar")).to_have_text("AL")
    await expect(saved).to_have_count(1)
    assert (await api.get(f"/api/profiles/{ana.id}", as_=ana))["avatar_url"] is None
    browser.check()


@with_worker
async def test_enrichment_fills_experience_and_education_live(browser: Browser, api):
    ada = await api.sign_up(["student"], full_name="Ada Lovelace")
    page = await browser.page(ada, "/profile")
    await page.get_by_label("Resume (PDF or DOCX, up to 10 MB)").set_input_files(
        files=[{"name": "ada.pdf", "mimeType": "application/pdf", "buffer": pdf_resume()}]
    )
    await expect(page.locator("#toasts .toast", has_text="Profile saved")).to_have_count(1)
    await expect(page.locator("#enrichment")).to_contain_text(
        "updated from your resume", timeout=30_000
    )
    jobs = page.locator("[data-list=experience] [data-item]")
    await expect(jobs).to_have_count(2)
    await expect(jobs.first.get_by_label("Title")).to_have_value("Software Engineer")
    await expect(jobs.first.get_by_label("Company")).to_have_value("Acme Corp")
    await expect(jobs.last.get_by_label("Company")).to_have_value("Globex")
    school = page.locator("[data-list=education] [data-item]")
    await expect(school).to_have_count(1)
    await expect(school.get_by_label("Institution")).to_have_value("State University")
    await expect(school.get_by_label("Degree")).to_have_value("Bachelor of Science")
    await expect(school.get_by_label("To year")).to_have_value("2020")
    links = page.locator("[data-list=portfolio] [data-item] [name=url]")
    await expect(links).to_have_count(2)
    await expect(page.get_by_label("Skills")).to_have_value(
        "Docker, AWS, Python, Postgres, Kubernetes, Machine Learning, REST APIs, Go, C++"
    )
    await expect(page.locator("#enrichment")).not_to_contain_text("Reload")
    # Saving the live-filled form keeps every entry once.
    before = await api.get(f"/api/profiles/{ada.id}", as_=ada)
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator("#save-status")).to_have_text("All changes saved.")
    after = await api.get(f"/api/profiles/{ada.id}", as_=ada)
    for name in ("experience", "education", "portfolio", "skills"):
        assert after[name] == before[name], name
    browser.check()


async def test_optional_packages_stay_optional_and_blank_fields_are_flagged(browser: Browser, api):
    fay = await api.sign_up(["freelancer"], full_name="Fay")
    page = await browser.page(fay, "/gigs/new")
    await page.get_by_label("Title").fill("Logo design")
    await page.get_by_label("Description").fill("Three concepts, vector files.")
    await page.get_by_role("button", name="Publish gig").click()
    basic = page.locator("[data-tier=basic]")
    await expect(basic.locator(".field-error")).to_have_count(3)  # price, days, included
    await expect(basic.get_by_label("Price")).to_have_attribute("aria-invalid", "true")
    await expect(basic.get_by_label("Price")).to_be_focused()
    await basic.get_by_label("Price").fill("40")
    await basic.get_by_label("Delivery (days)").fill("3")
    await basic.get_by_label("What is included").fill("One concept")
    standard = page.locator("[data-tier=standard]")
    await standard.get_by_label("Offer a Standard tier").check()
    await page.get_by_role("button", name="Publish gig").click()
    await expect(standard.locator(".field-error")).to_have_count(3)
    await expect(basic.locator(".field-error")).to_have_count(0)
    await standard.get_by_label("Offer a Standard tier").uncheck()
    await page.get_by_label("Currency (every tier)").select_option("EUR")
    # "**/gigs/*" already matches /gigs/new: wait for the navigation to the gig itself
    # (page.url is read for the gig's id just below).
    async with page.expect_navigation(url="**/gigs/*"):
        await page.get_by_role("button", name="Publish gig").click()
    await expect(page.locator(".tier")).to_have_count(1)
    await expect(page.locator(".tier")).to_contain_text("40.00 EUR")
    gig_id = page.url.rsplit("/", 1)[1]
    gig = await api.get(f"/api/gigs/{gig_id}")
    assert gig["pricing_tiers"]["standard"] is None
    assert gig["pricing_tiers"]["premium"] is None

    # Adding the standard package later takes the gig's currency without asking again.
    await page.goto(f"/gigs/{gig_id}/edit")
    await expect(standard.get_by_label("Price")).to_be_hidden()
    await standard.get_by_label("Offer a Standard tier").check()
    await standard.get_by_label("Price").fill("90")
    await standard.get_by_label("Delivery (days)").fill("7")
    await standard.get_by_label("What is included").fill("Three concepts")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(f"**/gigs/{gig_id}")
    await expect(page.locator(".tier")).to_have_count(2)
    await expect(page.locator(".tier").last).to_contain_text("90.00 EUR")
    browser.check()


async def test_gig_search_shows_cards_with_cover_seller_price_and_delivery(browser: Browser, api):
    fay = await api.sign_up(["freelancer"], full_name="Fay Freelancer")
    shot = await api.upload(fay, "gig_media", PNG, filename="cover.png", content_type="image/png")
    body = {
        "title": "Landing page in a day",
        "description": "HTML and CSS.",
        "skills": ["HTML", "CSS"],
        "pricing_tiers": {
            "basic": {"price": 9000, "currency": "USD", "delivery_days": 2, "description": "One"},
            "premium": {"price": 20000, "currency": "USD", "delivery_days": 5, "description": "3"},
        },
        "media_gallery": [{"url": shot["url"], "type": "image"}],
    }
    with_cover = await api.post("/api/gigs", body, as_=fay, expect=201)
    plain = await api.post(
        "/api/gigs", {**body, "title": "Landing page copy", "media_gallery": []}, as_=fay,
        expect=201,
    )  # fmt: skip
    page = await browser.page(None, "/gigs?q=landing")
    card = page.locator(f"[data-gig='{with_cover['id']}']")
    await expect(card.locator("img.card-media")).to_have_attribute("src", shot["url"])
    await expect(card.locator("[data-seller]")).to_have_text("Fay Freelancer")
    await expect(card.locator(".avatar")).to_have_text("FF")
    await expect(card.locator("[data-price]")).to_have_text("90.00 USD")
    await expect(card).to_contain_text("2-day delivery")
    await expect(card.locator(".chip")).to_have_text(["html", "css"])
    other = page.locator(f"[data-gig='{plain['id']}']")
    await expect(other.locator(".card-media.placeholder")).to_have_count(1)
    await card.get_by_role("link", name="Landing page in a day").click()
    await expect(page.locator("#seller")).to_contain_text("Fay Freelancer")
    await expect(page.locator(".tier")).to_have_count(2)
    browser.check()
