"""In a real browser: the profile editor (lists of experience and education) and the
freelancer's path: become a freelancer, publish a gig with pricing tiers, edit it, and a
client contacts them from the public gig page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.pages.conftest import Browser


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
    basic = page.locator("fieldset", has_text="Basic tier")
    await basic.get_by_label("Price").fill("50")
    await basic.get_by_label("Delivery (days)").fill("7")
    await basic.get_by_label("What is included").fill("One endpoint")
    premium = page.locator("fieldset", has_text="Premium tier")
    await premium.get_by_label("Price").fill("20")
    await premium.get_by_label("Currency").fill("USD")
    await premium.get_by_label("Delivery (days)").fill("30")
    await premium.get_by_label("What is included").fill("A service")
    await page.get_by_role("button", name="Publish gig").click()
    await expect(premium.locator(".field-error")).to_be_visible()  # cheaper than basic
    await premium.get_by_label("Price").fill("400")
    await page.get_by_role("button", name="Publish gig").click()
    await page.wait_for_url("**/gigs/*")
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
