"""A rolling restart seen from the browser: the instance a page is connected to gets SIGTERM,
closes its sockets at once and stops; the page shows it is offline, and comes back live by
itself on the instance that takes its place (the same address here; another instance behind
a balancer: tests/deploy)."""

from __future__ import annotations

import asyncio
import signal

from playwright.async_api import expect

from tests.pages.conftest import Browser
from tests.pages.instances import alerts_live, page_on
from tests.processes import ServerProcess


async def test_a_page_reconnects_by_itself_to_the_instance_that_replaces_its_own(
    browser: Browser, api, database_url, redis_server_url, redis_prefix
):
    old = await ServerProcess(
        database_url, redis_server_url, redis_prefix, SHUTDOWN_TIMEOUT="300"
    ).start()
    new: ServerProcess | None = None
    try:
        user = await api.sign_up()
        page = await page_on(browser, old, user, "/jobs")
        await alerts_live(page)
        old.proc.send_signal(signal.SIGTERM)
        await expect(page.locator("body[data-chat=offline]")).to_have_count(1)
        await expect(page.locator("#offline-banner")).to_be_visible()
        # A liveness bound, not a speed target: SHUTDOWN_TIMEOUT is 300 s.
        assert await asyncio.wait_for(old.proc.wait(), 60) == 0
        new = await ServerProcess(
            database_url, redis_server_url, redis_prefix, PORT=old.env["PORT"]
        ).start()
        # No reload: the page's own reconnection finds the new instance.
        await expect(page.locator("body[data-chat=live]")).to_have_count(1, timeout=30_000)
        await expect(page.locator("#offline-banner")).to_be_hidden()
    finally:
        await old.stop()
        if new is not None:
            await new.stop()
