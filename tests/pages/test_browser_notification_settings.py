"""In a real browser: the notification settings page (missed-message emails on or off, the
muted conversations with an unmute button), reached from the profile editor, and the
unsubscribe page an email links to, used without logging in."""

from __future__ import annotations

from playwright.async_api import expect

from server import keys
from server.messaging.unsubscribe import unsubscribe_token
from tests.messaging.conftest import Chat
from tests.pages.conftest import Browser

SETTINGS = "/api/me/notification-settings"


async def test_settings_page_turns_emails_off_and_unmutes(browser: Browser, api, db):
    chat = Chat(api, db)
    admin = await api.sign_up(["employer"], full_name="Hana Admin")
    company = await api.company(admin, name="Acme")
    candidate = await api.sign_up(["student"], full_name="Cam Candidate")
    application_id = await chat.application(await chat.job(company, admin), candidate)
    conversation = await chat.start(admin, [candidate], "application", application_id)
    mute = f"/api/conversations/{conversation['id']}/mute"
    await api.call("PUT", mute, as_=candidate, expect=200)

    page = await browser.page(candidate, "/profile")
    await page.locator("#notification-settings-link").click()
    await expect(page).to_have_url(browser.base_url + "/settings/notifications")
    box = page.get_by_label("Email me about messages I have not read after a while")
    await expect(box).to_be_checked()
    await box.uncheck()
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#toasts")).to_contain_text("Settings saved")
    assert await api.get(SETTINGS, as_=candidate) == {"missed_message_emails": False}

    muted = page.locator("#muted-conversations")
    await expect(muted).to_contain_text("Hana Admin")
    await muted.get_by_role("button", name="Unmute").click()
    await expect(muted).to_contain_text("You have not muted any conversation")
    seen = await api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert seen["muted"] is False
    browser.check()


async def test_unsubscribe_page_works_without_logging_in(browser: Browser, api, client):
    user = await api.sign_up()
    token = unsubscribe_token(client.app[keys.SETTINGS].secret_key, user.id)
    page = await browser.page(None, f"/unsubscribe/{token}")
    await page.get_by_role("button", name="Unsubscribe").click()
    await expect(page.locator("#unsubscribed")).to_be_visible()
    assert await api.get(SETTINGS, as_=user) == {"missed_message_emails": False}
    browser.check()


async def test_the_settings_page_needs_a_login(api):
    response = await api.client.get("/settings/notifications", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/login?next=%2Fsettings%2Fnotifications"
