"""In a real browser, issue 17's data export: a person asks for their export on
/settings/account, sees it become ready live (the account.export_ready notification from the
real worker, no reload), downloads it and finds their resume and their rows in the ZIP. The
section is looked at on a phone and a desktop, light and dark (screenshots kept in
RIZEOS_EXPORT_SHOTS when set)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.exports.conftest import RESUME
from tests.pages.conftest import Browser
from tests.pages.test_browser_every_page import OVERFLOW
from tests.pages.test_screenshots import UNLABELLED

SHOTS_ENV = "RIZEOS_EXPORT_SHOTS"
SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def looks_right(page: Page, where: str, path: Path) -> None:
    """Fits the width, every control labelled; a screenshot to look at."""
    assert await page.evaluate(OVERFLOW) is None, where
    assert await page.evaluate(UNLABELLED) == [], where
    await page.locator("#account-export").screenshot(path=str(path))


async def test_person_requests_export_sees_it_ready_live_and_downloads_it(
    browser: Browser, api, worker, shots: Path, tmp_path: Path
):
    person = await api.sign_up(["student"], full_name="Ada Exporter")
    resume = await api.upload(person, "resume", RESUME, filename="Ada CV.pdf")
    page = await browser.page(person, "/settings/account")
    await expect(page.locator("body[data-notifications=live]")).to_have_count(1)
    section = page.locator("#account-export")
    status = page.locator("#account-export-status")
    await expect(status).to_have_text("You have not asked for an export yet.")

    await page.get_by_role("button", name="Request a data export").click()
    await expect(status).to_contain_text("Preparing your export…")
    await expect(page.get_by_role("button", name="Preparing…")).to_be_disabled()
    await expect(page.get_by_role("link", name="Download your data (ZIP)")).to_be_hidden()
    await looks_right(page, "preparing", shots / "export-preparing-1280-light.png")

    # No worker ran until now: the page changes when the worker's notification arrives.
    await worker.start()
    await expect(section).to_have_attribute("data-status", "ready")
    await expect(status).to_contain_text("Ready")
    await expect(status).to_contain_text("Available until")
    await expect(page.locator("#notif-count")).to_have_text("1")
    link = page.get_by_role("link", name="Download your data (ZIP)")
    await expect(link).to_be_visible()
    await expect(page.get_by_role("button", name="Request a new export")).to_be_enabled()

    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename.startswith("rizeos-export-")
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    with zipfile.ZipFile(target) as archive:
        assert archive.read(f"files/resume/{resume['id']}-Ada CV.pdf") == RESUME
        assert json.loads(archive.read("profile.json"))["full_name"] == "Ada Exporter"
        assert json.loads(archive.read("account.json"))["email"] == person.email
    browser.check()

    for size, viewport in SIZES.items():
        for theme in ("light", "dark"):
            look = await browser.page(
                person, "/settings/account", viewport=viewport, color_scheme=theme
            )
            await expect(look.locator("#account-export")).to_have_attribute("data-status", "ready")
            await looks_right(look, f"{size} {theme}", shots / f"export-ready-{size}-{theme}.png")
            await look.context.close()
    browser.check()
