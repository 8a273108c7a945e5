"""The header of a user with every role (ten links: Jobs … My orders) fits from a phone to a
wide screen: the document never scrolls sideways, the bar never hides a link inside a
scrolling nav, and every link stays reachable, in the bar or behind the menu button."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.pages.conftest import Browser
from tests.pages.test_browser_every_page import OVERFLOW

LINKS = [
    "Jobs",
    "Gigs",
    "My applications",
    "Saved",
    "Alerts",
    "Hiring",
    "Organizations",
    "Freelance",
    "Orders",
    "My orders",
]

# The nav's links whose box lies outside the nav's own visible box (scrolled away in the bar).
HIDDEN_LINKS = """() => {
  const nav = document.querySelector("nav[aria-label=Main]");
  const box = nav.getBoundingClientRect();
  return [...nav.querySelectorAll("a")].filter((a) => {
    const r = a.getBoundingClientRect();
    return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.right > window.innerWidth;
  }).map((a) => a.textContent.trim());
}"""


@pytest.mark.parametrize("width", [390, 1024, 1100, 1280, 1440, 1536, 1920])
async def test_a_many_role_header_fits_and_keeps_every_link(browser: Browser, api, width: int):
    user = await api.sign_up(
        ["student", "employer", "freelancer"], full_name="Maximiliane Okonkwo-Bergström"
    )
    page = await browser.page(user, path="/jobs", viewport={"width": width, "height": 800})
    assert await page.evaluate(OVERFLOW) is None
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator("#menu-button")
    if await menu.is_visible():
        await menu.click()
        await expect(menu).to_have_attribute("aria-expanded", "true")
        assert await page.evaluate(OVERFLOW) is None
    for name in LINKS:
        await expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert await page.evaluate(HIDDEN_LINKS) == []
    # The account controls are there too, named for a screen reader.
    await expect(page.get_by_role("button", name="Log out")).to_be_visible()
    await expect(page.get_by_role("link", name="Messages")).to_be_visible()
