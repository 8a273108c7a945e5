"""docs/deploy.md's layout, for real: Debian's HAProxy running deploy/haproxy.cfg (TLS
termination, health checks on /readyz, the SERVERID stickiness cookie) in front of two
`python -m server web` instances (RUN_WORKER=no) sharing PostgreSQL and Redis, and one
`python -m server worker`. Chromium runs the app's own pages, with the vendored official
socket.io client, through the balancer: with its default transports (polling, then the
upgrade to a WebSocket) and with WebSocket only.

The processes start once for the module; each test puts both instances back (restarting
one a test killed) and waits for HAProxy to see them up.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Page, async_playwright, expect

from server.app import create_app
from server.config import Settings
from tests.client import PASSWORD, Api, Mailbox, User
from tests.deploy.balancer import Balancer
from tests.enrichment.conftest import ADA_SKILLS, pdf_resume
from tests.pages.conftest import CHROMIUM, TIMEOUT_MS, Browser
from tests.processes import ServerProcess
from tests.waits import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET_KEY = "test-secret-key-" + "x" * 32
TRANSPORTS = ["default", "websocket"]
# The one change the WebSocket-only runs make to the app's pages: the socket.io client's
# `transports` option (live.js opens every socket of a page).
WEBSOCKET_ONLY = 'io(namespace, {\n    transports: ["websocket"],'


@dataclass
class Stack:
    balancer: Balancer
    web: dict[str, ServerProcess]
    worker: ServerProcess
    api: Api
    browser: Browser

    @property
    def url(self) -> str:
        return self.balancer.url


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(
    clones, pg_server_url: str, redis_server_url: str, tmp_path_factory
) -> AsyncIterator[Stack]:
    folder: Path = tmp_path_factory.mktemp("deploy")
    database = await clones.take()
    database_url = _with_database(pg_server_url, database)
    prefix = "rizeos-test-" + uuid.uuid4().hex[:12]
    web = {
        name: ServerProcess(
            database_url,
            redis_server_url,
            prefix,
            "web",
            SECRET_KEY=SECRET_KEY,
            RUN_WORKER="no",
            MIGRATE_ON_START="false",
            DATA_DIR=str(folder),  # the local object store, shared as a bucket would be
            TRUSTED_PROXIES="127.0.0.1",
        )
        for name in ("web1", "web2")
    }
    balancer = Balancer(folder, {name: f"127.0.0.1:{p.env['PORT']}" for name, p in web.items()})
    for process in web.values():
        process.env["PUBLIC_URL"] = balancer.url
    worker = ServerProcess(
        database_url,
        redis_server_url,
        prefix,
        "worker",
        SECRET_KEY=SECRET_KEY,
        MIGRATE_ON_START="false",
        DATA_DIR=str(folder),
        PUBLIC_URL=balancer.url,
    )
    mailbox = Mailbox()
    mail_log = logging.getLogger("rizeos.mail")
    mail_log.addHandler(mailbox)
    mail_log.setLevel(logging.INFO)
    # The people and conversations are made through the REST routes of an app in this
    # process, on the same database (as tests/pages do).
    settings = Settings(
        host="127.0.0.1",
        port=0,
        data_dir=folder,
        database_url=database_url,
        db_pool_min=1,
        db_pool_max=3,
        secret_key=SECRET_KEY,
        public_url=balancer.url,
        migrate_on_start=False,
        shutdown_timeout=1.0,
    )
    client = TestClient(TestServer(create_app(settings)), cookie_jar=aiohttp.DummyCookieJar())
    playwright = chromium = None
    try:
        playwright = await async_playwright().start()
        launched = asyncio.create_task(
            playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
        )
        await asyncio.gather(*(p.start() for p in web.values()), worker.spawn())
        await balancer.start()
        await client.start_server()
        chromium = await launched
        yield Stack(balancer, web, worker, Api(client, mailbox), Browser(balancer.url, chromium))
    finally:
        if chromium is not None:
            await chromium.close()
        if playwright is not None:
            await playwright.stop()
        await client.close()
        await balancer.stop()
        # Nothing is checked after the tests: no graceful stop to wait for.
        await asyncio.gather(*(p.kill() for p in [*web.values(), worker]))
        mail_log.removeHandler(mailbox)
        clones.give_back(database)


@pytest_asyncio.fixture(loop_scope="module")
async def deployed(stack: Stack) -> AsyncIterator[Stack]:
    """The stack with both instances running and seen up by the balancer."""
    for process in stack.web.values():
        if process.proc is None or process.proc.returncode is not None:
            await process.stop()  # collect what is left of a killed one
            await process.start()
    await stack.balancer.wait_until_up(*stack.web)
    stack.browser.dialogs.clear()
    stack.browser.errors.clear()
    yield stack


@dataclass
class Served:
    """Which instance answered a page's Socket.IO requests (the balancer's X-Served-By):
    each polling response, and each WebSocket's handshake with what the page sent on it."""

    polling: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    upgrades: int = 0  # engine.io "upgrade" packets sent: a polling session moved to a socket

    @property
    def last(self) -> str | None:
        return (self.websockets or self.polling or [None])[-1]


async def watch_socketio(page: Page) -> Served:
    served = Served()

    def on_response(response) -> None:
        if "/socket.io/" in response.url and "transport=polling" in response.url:
            served.polling.append(response.headers.get("x-served-by", "?"))

    def on_handshake(event) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        served.websockets.append(headers.get("x-served-by", "?"))

    def on_websocket(ws) -> None:
        def sent(payload) -> None:
            if payload == "5":
                served.upgrades += 1

        ws.on("framesent", sent)

    page.on("response", on_response)
    page.on("websocket", on_websocket)
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    cdp.on("Network.webSocketHandshakeResponseReceived", on_handshake)
    return served


async def open_page(
    stack: Stack, user: User, path: str, instance: str | None, transports: str
) -> tuple[Page, Served]:
    """``user``'s page at ``path`` through the balancer, in a browser of its own. With
    ``instance``, the browser arrives with the stickiness cookie naming it (as one that was
    sent there before would); without, the balancer chooses."""
    context = await stack.browser.browser.new_context(base_url=stack.url, ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    if instance is not None:
        await context.add_cookies([{"name": "SERVERID", "value": instance, "url": stack.url}])
    login = await context.request.post(
        "/api/auth/login", data={"email": user.email, "password": PASSWORD}
    )
    assert login.status == 200, await login.text()
    page = await context.new_page()
    stack.browser.watch(page)
    if transports == "websocket":

        async def websocket_only(route) -> None:
            response = await route.fetch()
            script = await response.text()
            assert "io(namespace, {" in script
            body = script.replace("io(namespace, {", WEBSOCKET_ONLY, 1)
            await route.fulfill(response=response, body=body)

        await page.route("**/static/js/live.js", websocket_only)
    served = await watch_socketio(page)
    await page.goto(path)
    await expect(page.locator("body[data-chat=live]")).to_have_count(1)
    return page, served


def check_transport(served: Served, transports: str, instance: str) -> None:
    """The page's socket is on ``instance``, over the transports asked for."""
    if transports == "websocket":
        assert served.polling == [], "a WebSocket-only client polled"
        assert served.websockets and set(served.websockets) == {instance}, served
    else:
        # Polling first (every poll on one instance: the cookie), then upgraded on it.
        assert served.polling and set(served.polling) == {instance}, served
        assert served.upgrades >= 1 and set(served.websockets) == {instance}, served


async def conversation(api: Api, first: str) -> tuple[User, User, str]:
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name=f"Acme {uuid.uuid4().hex[:4]}")
    job = await api.job(recruiter, company["id"])
    student = await api.sign_up(["student"], full_name="Sam Student")
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    body = {
        "participant_ids": [str(student.id)],
        "context": {"type": "application", "id": application["id"]},
        "message": {"content": first, "client_msg_id": "first"},
    }
    created = await api.post("/api/conversations", body, as_=recruiter, expect=201)
    return recruiter, student, created["id"]


async def say(page: Page, text: str) -> None:
    await page.locator("#message-input").fill(text)
    await page.locator("#message-input").press("Enter")


async def stored(page: Page) -> None:
    """Every message the page sent is acknowledged as stored."""
    await expect(page.locator("#messages .message.pending")).to_have_count(0)


def thread(page: Page):
    return page.locator("#messages .message .content")


async def test_polling_works_through_the_stickiness_cookie_and_only_with_it(deployed: Stack):
    lb = deployed.balancer
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        # TLS is terminated at the balancer: plain HTTP is sent there.
        async with http.get(lb.http_url + "/readyz", allow_redirects=False) as response:
            assert response.status == 301
            # (the Host header's port kept: in production, :80 and :443 are implied)
            assert response.headers["Location"] == f"https://127.0.0.1:{lb.http_port}/readyz"

        handshake = lb.url + "/socket.io/?EIO=4&transport=polling"
        async with http.get(handshake, ssl=False) as response:
            assert response.status == 200
            home = response.headers["X-Served-By"]
            assert response.cookies["SERVERID"].value == home  # the balancer's cookie
            sid = re.search(r'"sid":"([^"]+)"', await response.text()).group(1)
        other = next(name for name in deployed.web if name != home)
        poll = f"{handshake}&sid={sid}"
        # With the cookie the session's requests go where it lives (a pong packet: "3").
        for _ in range(4):
            async with http.post(poll, data="3", ssl=False) as response:
                assert (response.status, response.headers["X-Served-By"]) == (200, home)
        # Sent to the other instance, the same session is unknown there: what happens to
        # every other poll without stickiness (round robin).
        async with http.post(poll, data="3", ssl=False, cookies={"SERVERID": other}) as response:
            assert response.headers["X-Served-By"] == other
            assert response.status == 400


@pytest.mark.parametrize("transports", TRANSPORTS)
async def test_people_on_different_instances_chat_through_the_balancer(
    deployed: Stack, transports: str
):
    rita_user, sam_user, cid = await conversation(deployed.api, "Hello Sam!")
    rita, rita_served = await open_page(deployed, rita_user, f"/messages/{cid}", "web1", transports)
    sam, sam_served = await open_page(deployed, sam_user, f"/messages/{cid}", "web2", transports)
    await expect(thread(sam)).to_have_text(["Hello Sam!"])
    check_transport(rita_served, transports, "web1")
    check_transport(sam_served, transports, "web2")

    await say(sam, "Hi Rita, from web2")
    await expect(thread(rita)).to_have_text(["Hello Sam!", "Hi Rita, from web2"])
    await say(rita, "Hi Sam, from web1")
    expected = ["Hello Sam!", "Hi Rita, from web2", "Hi Sam, from web1"]
    await expect(thread(sam)).to_have_text(expected)
    await expect(thread(rita)).to_have_text(expected)
    await expect(rita.locator("#typing")).to_be_empty()
    deployed.browser.check()
    await rita.context.close()
    await sam.context.close()


@pytest.mark.parametrize("transports", TRANSPORTS)
async def test_killing_an_instance_moves_its_people_and_loses_no_message(
    deployed: Stack, transports: str
):
    rita_user, sam_user, cid = await conversation(deployed.api, "Hello Sam!")
    rita, rita_served = await open_page(deployed, rita_user, f"/messages/{cid}", "web1", transports)
    sam, sam_served = await open_page(deployed, sam_user, f"/messages/{cid}", "web2", transports)
    check_transport(rita_served, transports, "web1")
    check_transport(sam_served, transports, "web2")
    await say(sam, "before the crash")
    await expect(thread(rita)).to_have_text(["Hello Sam!", "before the crash"])

    await deployed.web["web1"].kill()  # SIGKILL: Rita's instance is gone mid-conversation
    # Sam (on web2) keeps talking while Rita is away...
    await say(sam, "while you were away 1")
    await say(sam, "while you were away 2")
    await stored(sam)
    # ...and Rita writes before her page has found another instance: it waits, then goes.
    await say(rita, "are you still there?")
    expected = [
        "Hello Sam!",
        "before the crash",
        "while you were away 1",
        "while you were away 2",
        "are you still there?",
    ]
    await expect(thread(rita)).to_have_text(expected, timeout=30_000)
    await stored(rita)
    await expect(thread(sam)).to_have_text(expected)
    # Rita's socket now lives on web2, the only instance left.
    await eventually(lambda: rita_served.last == "web2", 10, lambda: f"Rita moved: {rita_served}")

    # The balancer's health checks (/readyz) took web1 out.
    states = {}

    async def web1_down() -> bool:
        states.update(await deployed.balancer.states())
        return states["web1"].startswith("DOWN")

    await eventually(web1_down, 10, lambda: f"haproxy marked web1 down: {states}")

    await say(sam, "welcome back")
    expected.append("welcome back")
    await expect(thread(rita)).to_have_text(expected)
    # Stored once each, in this order (the pages show what the database holds).
    history = await deployed.api.get(f"/api/conversations/{cid}/messages", as_=rita_user)
    assert sorted((m["content"] for m in history["items"]), key=expected.index) == expected
    assert len(history["items"]) == len(expected)
    deployed.browser.check()
    await rita.context.close()
    await sam.context.close()


async def test_an_upload_is_enriched_by_the_worker_process(stack: Stack):
    # Any one instance will do (one a test killed may still be down).
    deployed = stack
    deployed.browser.errors.clear()
    ada = await deployed.api.sign_up(["student"], full_name="Ada Lovelace")
    page, _ = await open_page(deployed, ada, "/profile", None, "default")
    await page.get_by_label("Resume (PDF or DOCX, up to 10 MB)").set_input_files(
        files=[{"name": "ada.pdf", "mimeType": "application/pdf", "buffer": pdf_resume()}]
    )
    await expect(page.locator("#resume [data-upload-status]")).to_have_text("Uploaded ada.pdf")
    # The worker process reads the resume; its event reaches this page through Redis and
    # the instance the page's socket is on.
    await expect(page.locator("#enrichment")).to_contain_text(
        "updated from your resume", timeout=30_000
    )
    await expect(page.get_by_label("Skills")).to_have_value(", ".join(ADA_SKILLS))
    profile = await deployed.api.get(f"/api/profiles/{ada.id}", as_=ada)
    assert profile["resume_url"].startswith(deployed.url + "/api/files/")
    deployed.browser.check()
    await page.context.close()
