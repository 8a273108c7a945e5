"""In a real browser: an institute admin whose verified email is on uni.example registers the
domain (a free-mail domain is refused next to the field first); a student whose verified
email is on it joins at once and shows "Verified student of X" on their profile; the
institute page shows the student to its admin and only the figures to anyone else.

With RIZEOS_SHOTS=dir, the pages are also saved at 390 and 1280 px, light and dark."""

from __future__ import annotations

import os

from playwright.async_api import expect

from tests.pages.conftest import Browser

NAME = "University of Example"


async def shoot(browser: Browser, user, path: str, name: str) -> None:
    target = os.environ.get("RIZEOS_SHOTS")
    if not target:
        return
    for width, height in ((390, 844), (1280, 800)):
        for scheme in ("light", "dark"):
            page = await browser.page(
                user, path, viewport={"width": width, "height": height}, color_scheme=scheme
            )
            await page.screenshot(path=f"{target}/{name}-{width}-{scheme}.png", full_page=True)
            await page.context.close()


async def test_student_on_a_registered_domain_is_active_at_once_and_verified(browser: Browser, api):
    dean = await api.sign_up(["professional"], full_name="Dana Dean", email="dean@uni.example")
    institute = await api.institute(dean, name=NAME, location="Exampleton")
    # A look-alike with no domain: listed below the real one.
    other = await api.sign_up(["professional"])
    await api.institute(other, name="University of Exampel", location="Elsewhere")
    members = f"/organizations/{institute['id']}/members"

    page = await browser.page(dean, members)
    domain = page.get_by_label("Add a domain your institute owns")
    await domain.fill("gmail.com")
    await page.get_by_role("button", name="Add domain").click()
    await expect(page.locator("#domain-form .field-error")).to_contain_text(
        "gmail.com is a free or public email provider"
    )
    await expect(domain).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#domain-list")).to_have_count(0)  # nothing was added
    if os.environ.get("RIZEOS_SHOTS"):
        await page.screenshot(path=f"{os.environ['RIZEOS_SHOTS']}/members-domain-refused.png")

    await domain.fill("uni.example")
    await page.get_by_role("button", name="Add domain").click()
    row = page.locator("#domain-list li", has_text="uni.example")
    await expect(row).to_contain_text("counts")

    student = await api.sign_up(["student"], full_name="Sam Student", email="sam@uni.example")
    sam = await browser.page(student, "/onboarding?q=University of Exam")
    listed = sam.locator("#institutes li")
    await expect(listed.first).to_contain_text(NAME)
    await expect(listed.first).to_contain_text("Exampleton")
    await expect(listed.first).to_contain_text("verified")
    await expect(listed.nth(1)).to_contain_text("University of Exampel")
    await listed.first.get_by_role("button", name="Join").click()
    await expect(sam.locator("#institutes li").first.locator("[data-status]")).to_have_text(
        "active"
    )

    await sam.goto(f"/people/{student.id}")
    badge = sam.locator("#profile-header [data-verified-institutes]")
    await expect(badge.get_by_role("link")).to_have_text(f"Verified student of {NAME}")

    await page.goto(f"/institutes/{institute['id']}")
    await expect(page.locator("#institute-students")).to_contain_text("Sam Student")
    await expect(page.locator("[data-figure=students]")).to_have_text("1")

    anyone = await browser.page(None, f"/institutes/{institute['id']}")
    await expect(anyone.locator("[data-figure=students]")).to_have_text("1")
    await expect(anyone.locator("[data-figure=applied]")).to_have_text("0")
    await expect(anyone.locator("#institute-students")).to_have_count(0)
    await expect(anyone.locator("main")).not_to_contain_text("Sam Student")
    browser.check()

    await shoot(browser, dean, members, "members-domains")
    await shoot(browser, student, f"/people/{student.id}", "profile-badge")
    await shoot(browser, dean, f"/institutes/{institute['id']}", "institute-admin")
    await shoot(browser, None, f"/institutes/{institute['id']}", "institute-public")
    await shoot(browser, student, "/onboarding?q=University", "onboarding-search")
