"""In a real browser: sign up with a role, confirm the email, onboard into an institute,
log out and back in, and field errors from the API's problem details."""

from __future__ import annotations

from playwright.async_api import expect

from tests.client import PASSWORD
from tests.pages.conftest import Browser


async def test_student_signs_up_confirms_email_and_asks_to_join_an_institute(
    browser: Browser, api, mailbox
):
    dean = await api.sign_up(["professional"], full_name="Dean")
    await api.institute(dean, name="Northfield University")

    page = await browser.page(path="/signup")
    await page.get_by_label("Your name").fill("Ana Student")
    await page.get_by_label("Email").fill("ana@uni.test")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Student").check()
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_url("**/onboarding")
    await expect(page.get_by_role("heading", name="Welcome! Find your institute")).to_be_visible()
    await expect(page.locator(".banner.info")).to_contain_text("confirm your email")

    token = mailbox.last_token("ana@uni.test", "confirm")
    await page.goto(f"/verify-email?token={token}")
    await expect(page.locator("#verified")).to_be_visible()

    await page.goto("/onboarding")
    await page.get_by_label("Institute name").fill("northfield")
    await page.get_by_role("button", name="Search").click()
    result = page.locator("#institutes li", has_text="Northfield University")
    await result.get_by_role("button", name="Request to join").click()
    await expect(result).to_contain_text("Request sent")
    await page.reload()
    await expect(page.locator("#institutes li", has_text="Northfield University")).to_contain_text(
        "pending"
    )
    browser.check()


async def test_field_errors_from_problem_details_and_log_in_again(browser: Browser, api):
    user = await api.sign_up(["professional"], full_name="Pat Pro")
    page = await browser.page(path="/signup")
    await page.get_by_label("Email").fill("not-an-email")
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    await expect(page.locator("[aria-invalid=true]").first).to_be_visible()

    await page.goto("/login?next=/profile")
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill("wrong password!")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator(".form-error")).to_be_visible()
    await page.get_by_label("Password").fill(PASSWORD)
    # "**/profile" already matches /login?next=/profile: wait for the navigation itself.
    async with page.expect_navigation(url="**/profile"):
        await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_label("Full name")).to_have_value("Pat Pro")

    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(lambda url: url.endswith("/"))
    await expect(page.get_by_role("link", name="Log in")).to_be_visible()
    browser.check()


async def test_password_reset_through_the_mailed_link(browser: Browser, api, mailbox):
    user = await api.sign_up(["student"], full_name="Forgetful")
    page = await browser.page(path="/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_role("button", name="Mail me a link").click()
    await expect(page.locator("#toasts")).to_contain_text("reset link is on its way")
    token = mailbox.last_token(user.email, "reset")
    await page.goto(f"/reset-password?token={token}")
    await page.get_by_label("New password").fill("a brand new password")
    await page.get_by_role("button", name="Set password").click()
    await page.wait_for_url("**/login")
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill("a brand new password")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/onboarding")
    browser.check()
