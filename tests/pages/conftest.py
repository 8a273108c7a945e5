"""Browser fixtures: Debian's Chromium driven by Playwright (async API, because the app under
test runs in the test's own event loop on a real port: the `client` fixture's server).

Chromium is /usr/bin/chromium (``apt-get install chromium``; ``.ci/run`` installs it), or
CHROMIUM_PATH. Every page records script errors and dialogs; ``Browser.check`` fails a test
that had any, so a CSP violation or an injected ``alert`` cannot go unnoticed.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from server.app import create_app
from server.config import Settings
from tests.client import PASSWORD, Api, User
from tests.messaging.test_missed_email import RunningWorker
from tests.processes import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TIMEOUT_MS = 10_000
# expect()'s retrying assertions wait as long as actions do (their own default is 5 s, which a
# page waiting on a live event or a worker sometimes needs more than on a loaded 2-core box).
expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class Browser:
    base_url: str
    browser: Any
    dialogs: list[str] = field(default_factory=list)
    confirms: set[str] = field(default_factory=set)  # confirm() questions a test answers "OK"
    errors: list[str] = field(default_factory=list)

    async def context(self, user: User | None = None, **options: Any) -> BrowserContext:
        """A fresh context (own cookies), signed in as ``user``; ``options`` go to
        ``new_context`` (``viewport``, ``color_scheme``, or ``base_url`` to open the app on
        another host it answers on, as ``other_host`` gives)."""
        context = await self.browser.new_context(**{"base_url": self.base_url, **options})
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            response = await context.request.post(
                "/api/auth/login", data={"email": user.email, "password": PASSWORD}
            )
            assert response.status == 200, await response.text()
        return context

    async def page(self, user: User | None = None, path: str | None = None, **options: Any) -> Page:
        context = await self.context(user, **options)
        page = await context.new_page()
        self.watch(page)
        if path is not None:
            await page.goto(path)
        return page

    def watch(self, page: Page) -> None:
        async def answer(dialog) -> None:
            if dialog.type == "confirm" and dialog.message in self.confirms:
                await dialog.accept()
                return
            self.dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", answer)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and "Failed to load resource" not in msg.text
                else None
            ),
        )

    def other_host(self) -> str:
        """The same server under the other loopback name (127.0.0.1 <-> localhost)."""
        if "//127.0.0.1:" in self.base_url:
            return self.base_url.replace("//127.0.0.1:", "//localhost:")
        return self.base_url.replace("//localhost:", "//127.0.0.1:")

    def check(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, port: int) -> Settings:
    """The site's PUBLIC_URL is where the browser reaches it, as in production: file
    references (``PUBLIC_URL/api/files/…``) and upload grants then point at this server."""
    return dataclasses.replace(settings, public_url=f"http://127.0.0.1:{port}")


@pytest.fixture
async def client(settings: Settings, aiohttp_client, port: int):
    app = create_app(settings)
    return await aiohttp_client(
        app, cookie_jar=aiohttp.DummyCookieJar(), server_kwargs={"port": port}
    )


@pytest.fixture
async def worker(client, settings: Settings):
    """The job host as `python -m server worker` runs it, started when a test calls
    ``start()`` (so a test can show what happens before it runs); stopped at the end."""
    running = RunningWorker(client.app, settings)
    yield running
    await running.stop()


@pytest.fixture
async def browser(client) -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield Browser(base_url=str(client.make_url("")).rstrip("/"), browser=chromium)
        finally:
            await chromium.close()


async def hiring_setup(api: Api, title: str = "Backend Intern", name: str = "Rita Recruiter"):
    """A recruiter with a company and an open job; returns (recruiter, company, job)."""
    recruiter = await api.sign_up(["employer"], full_name=name)
    company = await api.company(recruiter, name=f"Acme {uuid.uuid4().hex[:4]}")
    job = await api.job(recruiter, company["id"], title=title)
    return recruiter, company, job
