"""A socket call still waiting for its answer when the socket closes ends quietly.

Every page that is signed in asks the /notifications namespace to `sync` as soon as it
connects. These tests hold that one call back (the browser's packet never reaches the
server, over either of Socket.IO's transports), so its answer is certainly still pending,
and then close the socket the three ways a user meets: log-out, leaving the page, and the
server dropping the session's sockets. None of them may raise a script error.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, Route, WebSocketRoute, expect

from tests.client import PASSWORD
from tests.pages.conftest import Browser

SYNC = "42/notifications,"
PACKET_SEPARATOR = "\x1e"  # Engine.IO v4 joins packets of one polling request with it


def _is_sync(packet: str) -> bool:
    return packet.startswith(SYNC) and '["sync"' in packet


async def hold_notification_sync(page: Page) -> asyncio.Event:
    """Drop the page's /notifications `sync` packets before they reach the server; the
    returned event is set once one has been held back (its ack can then never come)."""
    held = asyncio.Event()

    async def polling(route: Route) -> None:
        request = route.request
        if request.method != "POST" or not request.post_data:
            await route.continue_()
            return
        packets = request.post_data.split(PACKET_SEPARATOR)
        kept = [p for p in packets if not _is_sync(p)]
        if len(kept) == len(packets):
            await route.continue_()
            return
        held.set()
        if kept:
            await route.continue_(post_data=PACKET_SEPARATOR.join(kept))
        else:
            await route.fulfill(status=200, content_type="text/html", body="ok")

    def websocket(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_server(message: str | bytes) -> None:
            if isinstance(message, str) and _is_sync(message):
                held.set()
                return
            server.send(message)

        ws.on_message(to_server)

    await page.route("**/socket.io/**", polling)
    await page.route_web_socket("**/socket.io/**", websocket)
    return held


async def profile_page_with_sync_pending(browser: Browser, api) -> tuple[Page, object]:
    user = await api.sign_up(["professional"], full_name="Pat Pending")
    context = await browser.context(user)
    page = await context.new_page()
    browser.watch(page)
    held = await hold_notification_sync(page)
    await page.goto("/profile")
    await asyncio.wait_for(held.wait(), timeout=10)
    return page, user


async def test_logging_out_while_a_socket_call_waits_raises_no_script_error(browser: Browser, api):
    page, _ = await profile_page_with_sync_pending(browser, api)
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(lambda url: url.endswith("/"))
    await expect(page.get_by_role("link", name="Log in")).to_be_visible()
    browser.check()


async def test_leaving_the_page_while_a_socket_call_waits_raises_no_script_error(
    browser: Browser, api
):
    page, _ = await profile_page_with_sync_pending(browser, api)
    await page.get_by_role("link", name="Messages").first.click()
    await page.wait_for_url("**/messages**")
    await expect(page.get_by_role("heading", name="Messages").first).to_be_visible()
    browser.check()


async def test_the_server_ending_the_session_while_a_socket_call_waits_goes_to_log_in(
    browser: Browser, api, mailbox
):
    """A password reset elsewhere ends every session: the server drops the page's sockets
    (rejecting the pending call), and the page leaves for the log-in form on its own."""
    page, user = await profile_page_with_sync_pending(browser, api)
    await api.post("/api/auth/password-reset", {"email": user.email})
    token = mailbox.last_token(user.email, "reset")
    await api.post("/api/auth/password-reset/confirm", {"token": token, "password": PASSWORD})
    await page.wait_for_url("**/login?next=%2Fprofile")
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    browser.check()
