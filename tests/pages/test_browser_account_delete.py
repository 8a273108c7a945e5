"""In a real browser: two people chat (one sends a message and a file), then the sender deletes
their account from /settings/account. The other party's conversation then reads "Deleted
user" for those messages, and the file is gone from the local store on disk. Also: the
danger zone's field-level errors, and how it looks at 390 and 1280 px, light and dark."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import expect

from server.config import OidcProvider, Settings
from tests.client import PASSWORD
from tests.messaging.test_missed_email import RunningWorker
from tests.pages.accounts import send_text_and_picture, stored_files
from tests.pages.conftest import Browser
from tests.pages.test_browser_chat import conversation_between
from tests.waits import eventually

SHOTS = os.environ.get("RIZEOS_SCREENSHOTS")


async def test_deleted_senders_messages_read_deleted_user_and_their_file_is_gone(
    browser: Browser, api, db, client, settings
):
    recruiter, student, conversation = await conversation_between(api, "Tell me about you")
    path = f"/messages/{conversation['id']}"
    sam = await browser.page(student, path)
    await send_text_and_picture(sam, "I am leaving the platform, here is my CV")
    stored = (await stored_files(client, db, student.id))["message_attachment"]
    assert stored.exists()

    rita = await browser.page(recruiter, path)
    senders = rita.locator("#messages .message:not(.mine) .sender")
    await expect(senders).to_have_text(["Sam Student", "Sam Student"])

    # The danger zone: a wrong password is refused on its field, then the right one erases.
    await sam.goto("/settings/account")
    zone = sam.locator("#delete-account")
    await zone.get_by_label("Type your email address").fill(student.email)
    await zone.get_by_label("Your password").fill("not my password")
    await zone.get_by_role("button", name="Delete my account").click()
    await expect(zone.locator(".field-error")).to_have_text(["this is not your password"])
    await expect(zone.get_by_label("Your password")).to_have_attribute("aria-invalid", "true")
    await zone.get_by_label("Your password").fill(PASSWORD)
    await zone.get_by_role("button", name="Delete my account").click()
    await sam.wait_for_url("**/?account=deleted")
    await expect(sam.locator("#account-deleted")).to_contain_text("Your account was deleted")
    await expect(sam.get_by_role("link", name="Log in").first).to_be_visible()
    if SHOTS:
        await sam.screenshot(path=f"{SHOTS}/account-deleted-home.png")

    await rita.reload()
    await expect(senders).to_have_text(["Deleted user", "Deleted user"])
    entry = rita.locator("#conversation-list li", has_text="Deleted user")
    await expect(entry).to_be_visible()
    # A deleted account has no people page.
    response = await rita.goto(f"/people/{student.id}")
    assert response is not None and response.status == 404

    worker = RunningWorker(client.app, settings)
    await worker.start()
    try:
        await eventually(lambda: not stored.exists(), what="the deleted user's file to go")
    finally:
        await worker.stop()
    browser.check()


async def test_the_danger_zone_at_phone_and_desktop_width_light_and_dark(browser: Browser, api):
    user = await api.sign_up(["employer"], full_name="Dana Danger")
    company = await api.company(user, name="Dana's Company")
    assert company["id"]
    for width, scheme in ((390, "light"), (390, "dark"), (1280, "light"), (1280, "dark")):
        page = await browser.page(
            user,
            "/settings/account",
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
        )
        zone = page.locator("#delete-account")
        # The last admin of a company is told before trying.
        await expect(page.locator("#delete-blockers")).to_contain_text(
            "You are the last admin of Dana's Company"
        )
        await expect(zone.get_by_label("Type your email address")).to_be_visible()
        box = await zone.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        if SHOTS and width == 390 and scheme == "light":
            await page.screenshot(path=f"{SHOTS}/account-settings-390.png", full_page=True)
        if SHOTS:
            await zone.scroll_into_view_if_needed()
            await zone.screenshot(path=f"{SHOTS}/account-delete-{width}-{scheme}.png")
        await page.context.close()
    browser.check()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One provider configured (never reached here: the page only links to it)."""
    acme = OidcProvider(name="acme_id", label="Acme ID", client_id="x", issuer="http://127.0.0.1:9")
    return dataclasses.replace(settings, oidc_providers=(acme,))


async def test_a_passwordless_account_is_offered_to_confirm_with_its_provider(
    browser: Browser, api, db
):
    user = await api.sign_up(["student"], full_name="Pat Passwordless")
    page = await browser.page(user, "/settings/account", viewport={"width": 390, "height": 900})
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET password_hash = NULL WHERE id = $1", user.id)
        await conn.execute(
            "INSERT INTO user_identities (user_id, provider, subject, email, email_verified)"
            " VALUES ($1, 'acme_id', 'sub-pat', $2, TRUE)",
            user.id,
            user.email,
        )
        await conn.execute(
            "UPDATE sessions SET authenticated_at = now() - interval '1 hour' WHERE user_id = $1",
            user.id,
        )
    await page.reload()
    zone = page.locator("#delete-account")
    link = zone.get_by_role("link", name="Confirm with Acme ID")
    await expect(link).to_have_attribute(
        "href", "/api/auth/oidc/acme_id/start?intent=reauth&next=/settings/account"
    )
    await expect(zone.get_by_label("Your password")).to_be_hidden()
    await zone.get_by_label("Type your email address").fill(user.email)
    await zone.get_by_role("button", name="Delete my account").click()
    await expect(zone.locator("form .form-error")).to_contain_text("Confirm it is you first")
    if SHOTS:
        await zone.screenshot(path=f"{SHOTS}/account-delete-passwordless-390.png")
    browser.check()


async def test_the_farewell_shows_even_when_the_home_page_is_slow_to_come(browser: Browser, api):
    """Deleting ends this page's session, so the server drops its socket, which tries again
    a second later, is refused, and would send the page to log in: that must not overtake
    the way to the home page's farewell, however long that takes."""
    user = await api.sign_up(["student"], full_name="Sid Slow")
    page = await browser.page(user, "/settings/account")
    await expect(page.locator("body[data-notifications=live]")).to_have_count(1)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    await page.reload()
    await expect(page.locator("body[data-notifications=live]")).to_have_count(1)

    async def slow_home(route) -> None:
        # A slow network: the home page comes only after the socket's retry would be refused.
        await eventually(lambda: all(ws.is_closed() for ws in sockets), what="socket drops")
        await asyncio.sleep(2)  # live.js retries 1 s after the server lets go
        with contextlib.suppress(PlaywrightError):  # the navigation may have been abandoned
            await route.continue_()

    await page.route("**/?account=deleted", slow_home)
    zone = page.locator("#delete-account")
    await zone.get_by_label("Type your email address").fill(user.email)
    await zone.get_by_label("Your password").fill(PASSWORD)
    await zone.get_by_role("button", name="Delete my account").click()
    await page.wait_for_url("**/?account=deleted")
    await expect(page.locator("#account-deleted")).to_contain_text("Your account was deleted")
    browser.check()
