"""In a real browser, the security section of /settings/account: a second session of the
same person, with a real Socket.IO client connected, is signed out from the first one's
page and its socket drops; changing the password signs out the rest; an email change is
confirmed through the mailed link. Each state photographed at 390 and 1280 px, light and
dark (RIZEOS_SCREENSHOTS=dir keeps them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.client import PASSWORD
from tests.pages.conftest import Browser
from tests.pages.test_screenshots import UNLABELLED
from tests.sockets import connect_socket
from tests.waits import eventually

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "a brand new passphrase"
SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    path = Path(os.environ.get("RIZEOS_SCREENSHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


async def test_sign_out_another_device_drops_its_socket_then_change_password_and_email(
    browser: Browser, api, mailbox, shots: Path
):
    user = await api.sign_up(full_name="Sam Secure")
    phone = await api.post(
        "/api/auth/login",
        {"email": user.email, "password": PASSWORD},
        headers={"User-Agent": IPHONE},
        expect=200,
    )
    url = str(api.client.make_url(""))
    socket = await connect_socket(url, phone["token"], ["/notifications"])
    try:
        page = await browser.page(user, "/settings/account")
        sessions = page.locator("#sessions > li")
        await expect(sessions).to_have_count(3)  # sign-up's, the phone's, this browser's
        this = page.locator("#sessions > li[data-current=true]")
        await expect(this).to_contain_text("This device")
        await expect(this).to_contain_text("HeadlessChrome on Linux")
        await expect(this.get_by_role("button")).to_have_count(0)
        phone_row = page.locator("#sessions > li", has_text="Mobile Safari on iOS")
        await expect(phone_row).to_contain_text("Signed in just now with email and password")
        await expect(phone_row).to_contain_text("last seen")
        assert await page.evaluate(UNLABELLED) == []
        for theme in ("light", "dark"):
            await page.emulate_media(color_scheme=theme)
            for name, size in SIZES.items():
                await page.set_viewport_size(size)
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(
                    path=shots / f"account-security-{name}-{theme}.png", full_page=True
                )
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= size["width"], f"{name} {theme}: {width}px wide"
        await page.set_viewport_size(SIZES["1280"])
        await page.emulate_media(color_scheme="light")

        await phone_row.get_by_role("button", name="Sign out").click()
        await eventually(lambda: not socket.connected, what="the phone's socket dropping")
        await expect(sessions).to_have_count(2)
        await expect(page.locator("#toasts")).to_contain_text("Signed out Mobile Safari on iOS")
        await api.get("/api/me", headers={"Authorization": f"Bearer {phone['token']}"}, expect=401)
    finally:
        await socket.disconnect()

    # A wrong current password: shown beside its field, nothing changes.
    form = page.locator("#password-form")
    await form.get_by_label("Current password").fill("not my password")
    await form.get_by_label("New password").fill(NEW_PASSWORD)
    await form.get_by_role("button", name="Change password").click()
    await expect(form.locator(".field-error")).to_have_text("is not your current password")
    await expect(form.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    await api.get("/api/me", as_=user, expect=200)
    await page.screenshot(path=shots / "account-security-password-error-1280-light.png")

    # The right one: the sign-up session (the last other one) ends, this page stays.
    await form.get_by_label("Current password").fill(PASSWORD)
    await form.get_by_role("button", name="Change password").click()
    await expect(page.locator("#toasts")).to_contain_text("1 other session was signed out")
    await expect(sessions).to_have_count(1)
    await expect(page.locator("#revoke-others")).to_be_hidden()
    await api.get("/api/me", as_=user, expect=401)
    assert any("password was changed" in m["subject"] for m in mailbox.messages)

    # Email: a taken address is a conflict at the form; a free one waits for confirmation.
    taken = await api.sign_up()
    email_form = page.locator("#email-form")
    await email_form.get_by_label("New email address").fill(taken.email)
    await email_form.get_by_label("Current password").fill(NEW_PASSWORD)
    await email_form.get_by_role("button", name="Send confirmation link").click()
    await expect(email_form.locator(".form-error")).to_contain_text("another account")
    new_email = f"sam-{user.id.hex[:8]}@new.example"
    await email_form.get_by_label("New email address").fill(new_email)
    await email_form.get_by_label("Current password").fill(NEW_PASSWORD)
    await email_form.get_by_role("button", name="Send confirmation link").click()
    pending = page.locator("#email-pending")
    await expect(pending).to_be_visible()
    await expect(pending).to_contain_text(new_email)
    await page.reload()
    await expect(pending).to_contain_text(new_email)  # rendered by the server too
    for theme in ("light", "dark"):
        await page.emulate_media(color_scheme=theme)
        for name, size in SIZES.items():
            await page.set_viewport_size(size)
            await page.evaluate("window.scrollTo(0, 0)")
            await page.screenshot(
                path=shots / f"account-email-pending-{name}-{theme}.png", full_page=True
            )
    await page.set_viewport_size(SIZES["1280"])
    await page.emulate_media(color_scheme="light")
    await expect(page.locator("#email-current")).to_have_text(user.email)

    token = mailbox.last_token(new_email, "confirm your new")
    await page.goto(f"/confirm-email?token={token}")
    await expect(page.locator("#email-changed")).to_be_visible()
    await page.goto("/settings/account")
    await expect(page.locator("#email-current")).to_have_text(new_email)
    await expect(pending).to_be_hidden()
    browser.check()


async def test_sign_out_everywhere_else_and_cancel_an_email_change(browser: Browser, api):
    user = await api.sign_up()
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=200)
    await api.post(
        "/api/me/email",
        {"new_email": f"later-{user.id.hex[:8]}@example.com", "current_password": PASSWORD},
        as_=user,
        expect=202,
    )
    page = await browser.page(user, "/settings/account")
    await expect(page.locator("#sessions > li")).to_have_count(3)
    browser.confirms.add("Sign out every other device? Their open pages stop at once.")
    await page.get_by_role("button", name="Sign out everywhere else").click()
    await expect(page.locator("#toasts")).to_contain_text("Signed out 2 other devices")
    await expect(page.locator("#sessions > li")).to_have_count(1)
    await api.get("/api/me", as_=user, expect=401)

    await expect(page.locator("#email-pending")).to_be_visible()
    await page.get_by_role("button", name="Cancel this change").click()
    await expect(page.locator("#email-pending")).to_be_hidden()
    await page.reload()
    await expect(page.locator("#email-pending")).to_be_hidden()
    browser.check()


async def test_an_account_without_a_password_sets_its_first(browser: Browser, api, db, shots):
    user = await api.sign_up()
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET password_hash = NULL WHERE id = $1", user.id)
    context = await browser.context()
    # No password to sign in with: the browser takes over the API's session cookie.
    await context.add_cookies(
        [
            {"name": "rizeos_session", "value": user.token, "url": browser.base_url},
            {"name": "rizeos_csrf", "value": user.csrf, "url": browser.base_url},
        ]
    )
    tab = await context.new_page()
    browser.watch(tab)
    await tab.goto("/settings/account")
    form = tab.locator("#password-form")
    await expect(tab.get_by_role("heading", name="Set a password")).to_be_visible()
    await expect(form.get_by_label("Current password")).to_have_count(0)
    await expect(tab.locator("#email-form").get_by_label("Current password")).to_have_count(0)
    for theme in ("light", "dark"):
        await tab.emulate_media(color_scheme=theme)
        await tab.set_viewport_size(SIZES["390"])
        await tab.screenshot(path=shots / f"account-no-password-390-{theme}.png", full_page=True)
    await form.get_by_label("New password").fill(NEW_PASSWORD)
    await form.get_by_role("button", name="Set password").click()
    await expect(tab.locator("#toasts")).to_contain_text("Password saved")
    await api.post("/api/auth/login", {"email": user.email, "password": NEW_PASSWORD}, expect=200)
    browser.check()


async def test_a_password_change_voids_the_pending_email_change_on_the_page(browser: Browser, api):
    """A password change retires an email change waiting for confirmation (whoever knew the
    old password may have asked for it): the page stops showing it as waiting."""
    user = await api.sign_up()
    await api.post(
        "/api/me/email",
        {"new_email": f"void-{user.id.hex[:8]}@example.com", "current_password": PASSWORD},
        as_=user,
        expect=202,
    )
    page = await browser.page(user, "/settings/account")
    await expect(page.locator("#email-pending")).to_be_visible()
    form = page.locator("#password-form")
    await form.get_by_label("Current password").fill(PASSWORD)
    await form.get_by_label("New password").fill(NEW_PASSWORD)
    await form.get_by_role("button", name="Change password").click()
    await expect(page.locator("#toasts")).to_contain_text("Password saved")
    await expect(page.locator("#email-pending")).to_be_hidden()
    await page.reload()
    await expect(page.locator("#email-pending")).to_be_hidden()
    browser.check()
