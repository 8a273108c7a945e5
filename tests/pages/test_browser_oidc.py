"""In a real browser, with a real OpenID provider (tests/oidc.py) signing people in through
its own authorization form: a new person signs up with it, chooses roles and applies to a
job; an existing user links it in Account settings, logs out and signs in with it; forged
callbacks get a clear page. The pages are photographed at 390 and 1280 px, light and dark
(RIZEOS_SCREENSHOTS=dir keeps them)."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from playwright.async_api import Page, expect

from tests.oidc import LABEL, PROVIDER, oidc_provider, provider_settings
from tests.pages.conftest import Browser, hiring_setup
from tests.pages.test_browser_apply_resume import SIZES, photograph, target
from tests.pages.test_screenshots import UNLABELLED
from tests.waits import eventually

__all__ = ["oidc_provider", "target"]  # fixtures, used here


@pytest.fixture
def settings(settings, oidc_provider):
    return provider_settings(settings, oidc_provider.issuer)


async def authorize_at_provider(page: Page, subject: str) -> None:
    """The provider's own form: who signs in, then Authorize."""
    await expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    await page.get_by_placeholder("sub").fill(subject)
    await page.get_by_role("button", name="Authorize").click()


async def photograph_state(browser: Browser, page: Page, path: str, name: str, target: Path):
    """Like ``photograph``, for someone signed in without a password: their cookies."""
    state = await page.context.storage_state()
    for size, viewport in SIZES.items():
        for theme in ("light", "dark"):
            shot = await browser.page(
                None, path, viewport=viewport, color_scheme=theme, storage_state=state
            )
            await expect(shot.locator("main")).to_be_visible()
            assert await shot.evaluate(UNLABELLED) == []
            width = await shot.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} {size} {theme} scrolls sideways"
            await shot.screenshot(path=target / f"{name}-{size}-{theme}.png", full_page=True)
            await shot.context.close()


async def test_a_new_person_signs_up_with_the_provider_chooses_roles_and_applies(
    browser: Browser, api, oidc_provider, target: Path
):
    _, _, job = await hiring_setup(api, title="Data Analyst")
    subject = f"grace-{uuid.uuid4().hex[:6]}"
    email = f"{subject}@example.com"
    await oidc_provider.set_user(subject, email=email, email_verified=True, name="Grace Hopper")

    page = await browser.page(path="/signup")
    await page.get_by_role("link", name=f"Continue with {LABEL}").click()
    await authorize_at_provider(page, subject)
    await page.wait_for_url("**/welcome/roles")
    await expect(page.get_by_role("heading", name="Welcome to RizeOS")).to_be_visible()
    await photograph_state(browser, page, "/welcome/roles", "choose-roles", target)

    await page.get_by_label("Student").uncheck()
    await page.get_by_role("button", name="Continue").click()
    await expect(page.locator(".field-error, .form-error:not([hidden])").first).to_be_visible()
    await page.get_by_label("Professional").check()
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/jobs")

    await page.goto(f"/jobs/{job['id']}")
    await page.get_by_label("Cover letter (optional)").fill("Signed in with my provider.")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.locator("#my-application")).to_contain_text("submitted")
    me = await (await page.context.request.get("/api/me")).json()
    assert me["user"]["email"] == email and me["user"]["roles"] == ["professional"]
    assert me["user"]["is_verified"] is True
    browser.check()


async def test_an_existing_user_links_the_provider_then_signs_in_with_it(
    browser: Browser, api, oidc_provider, target: Path
):
    user = await api.sign_up(["professional"], full_name="Linus Linker")
    subject = f"linus-{uuid.uuid4().hex[:6]}"
    await oidc_provider.set_user(subject, email=user.email, email_verified=True)

    page = await browser.page(user, "/settings/account")
    ways = page.locator("#sign-in-ways")
    await expect(ways.locator("[data-way=password]")).to_contain_text("Set")
    await expect(ways.locator(f"[data-way={PROVIDER}]")).to_contain_text("Not linked")
    await photograph(browser, user, "/settings/account", "account-sign-in", target)
    await page.get_by_role("link", name=f"Link {LABEL}").click()
    await authorize_at_provider(page, subject)
    await page.wait_for_url(f"**/settings/account?linked={PROVIDER}")
    await expect(ways.locator(f"[data-way={PROVIDER}]")).to_contain_text(f"Linked as {user.email}")
    await expect(page.get_by_role("button", name=f"Unlink {LABEL}")).to_be_visible()
    await photograph(browser, user, "/settings/account", "account-sign-in-linked", target)

    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(lambda url: url.endswith("/"))
    await page.goto("/login")
    await page.get_by_role("link", name=f"Continue with {LABEL}").click()
    await authorize_at_provider(page, subject)
    await page.wait_for_url("**/jobs")  # /welcome: a professional's first page
    me = await (await page.context.request.get("/api/me")).json()
    assert me["user"]["id"] == str(user.id)
    browser.check()


def with_state(url: str, state: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {"state": state}
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_forged_callbacks_are_refused_with_a_clear_page(
    browser: Browser, oidc_provider, target: Path
):
    subject = f"mallory-{uuid.uuid4().hex[:6]}"
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    page = await browser.page(path="/login")
    held: list[str] = []

    async def hold(route):
        if route.request.method != "POST":
            await route.continue_()
            return
        answer = await route.fetch(max_redirects=0)
        held.append(answer.headers["location"])
        await route.fulfill(status=200, content_type="text/plain", body="held back")

    # The provider's answer (a redirect to our callback) is held back, then altered.
    await page.route(f"{oidc_provider.issuer}/oauth2/authorize*", hold)
    await page.get_by_role("link", name=f"Continue with {LABEL}").click()
    await authorize_at_provider(page, subject)
    await eventually(lambda: held, 10, "the provider sent the browser back")
    await page.unroute(f"{oidc_provider.issuer}/oauth2/authorize*")

    response = await page.goto(with_state(held[0], "forged-state"))
    assert response is not None and response.status == 400
    await expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("started in another browser: start again")
    await expect(page.get_by_role("link", name="Log in")).to_be_visible()
    forged = urlsplit(with_state(held[0], "forged-state"))
    await photograph_state(browser, page, f"{forged.path}?{forged.query}", "oidc-refused", target)

    # A callback carried to another browser is refused too; the genuine one then works.
    other = await browser.page()
    response = await other.goto(held[0])
    assert response is not None and response.status == 400
    await page.goto(held[0])
    await page.wait_for_url("**/welcome/roles")
    browser.check()


async def test_sign_in_and_sign_up_pages_offer_the_provider(browser: Browser, target: Path):
    for path, name in (("/login?next=/hiring", "login-providers"), ("/signup", "signup-providers")):
        page = await browser.page(path=path)
        button = page.get_by_role("link", name=f"Continue with {LABEL}")
        await expect(button).to_be_visible()
        href = await button.get_attribute("href")
        assert href is not None and href.startswith(f"/api/auth/oidc/{PROVIDER}/start?")
        assert ("next=/hiring" in href) == path.startswith("/login")
        await page.context.close()
        for size, viewport in SIZES.items():
            for theme in ("light", "dark"):
                shot = await browser.page(path=path, viewport=viewport, color_scheme=theme)
                assert await shot.evaluate(UNLABELLED) == []
                width = await shot.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{name} {size} {theme} scrolls sideways"
                await shot.screenshot(path=target / f"{name}-{size}-{theme}.png", full_page=True)
                await shot.context.close()
    browser.check()
