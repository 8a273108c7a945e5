"""Browser pages on two real server instances (``python -m server`` processes sharing
PostgreSQL and Redis), for what must hold across instances: alerts, edits, reactions."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.client import PASSWORD, User
from tests.pages.conftest import TIMEOUT_MS, Browser
from tests.processes import ServerProcess


async def page_on(
    browser: Browser,
    server: ServerProcess,
    user: User,
    path: str,
    width: int = 1280,
    context=None,
) -> Page:
    """A signed-in page of ``user`` on ``server`` (a new browser context unless one is given:
    pages of one context are tabs of one browser, sharing the session)."""
    if context is None:
        context = await browser.browser.new_context(base_url=server.url)
        context.set_default_timeout(TIMEOUT_MS)
        response = await context.request.post(
            f"{server.url}/api/auth/login", data={"email": user.email, "password": PASSWORD}
        )
        assert response.status == 200, await response.text()
    page = await context.new_page()
    browser.watch(page)
    await page.set_viewport_size({"width": width, "height": 800})
    await page.goto(server.url + path)
    return page


async def alerts_live(page: Page) -> None:
    """The page's /chat socket is connected and its badge counted: alerts from now on."""
    await expect(page.locator("body[data-chat=live]")).to_have_count(1)
