"""Review of issue 17's provider sign-in: a provider that is down, hangs or answers garbage
gives a clear 502/503 page in bounded time (never a 500, never a 400 blaming the person), and
``/start`` (a flow row for anyone who asks) is rate-limited per IP address."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from aiohttp import web
from joserfc.jwk import RSAKey

from server.auth.oidc import client as oidc_client
from server.config import OidcProvider
from tests.auth.test_oidc import base
from tests.oidc import CLIENT_ID, CLIENT_SECRET, browser_session


class BrokenProvider:
    """An issuer whose discovery document is ``mode``: "garbage" (HTML, 200), "error" (500),
    or "hang" (never answers)."""

    def __init__(self) -> None:
        self.mode = "garbage"
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.discoveries = 0

    async def _discovery(self, request: web.Request) -> web.StreamResponse:
        self.discoveries += 1
        if self.mode == "slow":  # a working provider, slow to answer
            await asyncio.sleep(0.3)
            return web.json_response(
                {
                    "issuer": self.url,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                }
            )
        if self.mode == "hang":
            await asyncio.sleep(30)
        if self.mode == "error":
            return web.Response(status=500, text="oops")
        return web.Response(text="<html>not json</html>", content_type="text/html")

    async def _token(self, request: web.Request) -> web.StreamResponse:
        if self.mode == "refuse":
            return web.json_response({"error": "invalid_grant"}, status=400)
        return await self._discovery(request)

    async def _jwks(self, request: web.Request) -> web.Response:
        key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        return web.json_response({"keys": [key.as_dict(private=False)]})

    async def start(self) -> BrokenProvider:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/token", self._token)
        app.router.add_get("/jwks", self._jwks)
        self.runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture
async def broken():
    provider = await BrokenProvider().start()
    yield provider
    await provider.stop()


@pytest.fixture
def settings(settings, broken):
    provider = OidcProvider(
        name="broken",
        label="Broken",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        issuer=broken.url,
    )
    plain = OidcProvider(
        name="plainbroken",
        label="Plain Broken",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorize_url=f"{broken.url}/authorize",
        token_url=f"{broken.url}/token",
        userinfo_url=f"{broken.url}/userinfo",
    )
    return dataclasses.replace(
        settings,
        oidc_providers=(provider, plain),
        oidc_start_ip_burst=3,
        oidc_start_ip_per_minute=1,
    )


async def get_start(client, http) -> tuple[int, str]:
    async with http.get(
        f"{base(client)}/api/auth/oidc/broken/start", allow_redirects=False
    ) as response:
        return response.status, await response.text()


@pytest.mark.parametrize("mode", ["garbage", "error"])
async def test_a_provider_answering_garbage_is_a_bad_gateway_page(client, broken, mode):
    broken.mode = mode
    async with browser_session() as http:
        status, text = await get_start(client, http)
    assert status == 502, text
    assert "Broken" in text and "cannot be reached" in text


async def test_a_provider_that_hangs_is_answered_in_bounded_time(client, broken, monkeypatch):
    broken.mode = "hang"
    monkeypatch.setattr(oidc_client, "TIMEOUT", oidc_client.aiohttp.ClientTimeout(total=0.5))
    async with browser_session() as http:
        began = time.monotonic()
        status, text = await get_start(client, http)
    assert status == 502, text
    assert time.monotonic() - began < 5


async def test_start_is_rate_limited_per_ip_and_writes_no_row_when_refused(client, db, broken):
    broken.mode = "error"  # a refused start writes no row either; only the count matters here
    async with browser_session() as http:
        statuses = [(await get_start(client, http))[0] for _ in range(4)]
    assert statuses == [502, 502, 502, 429]


@pytest.mark.parametrize(("mode", "expected"), [("garbage", 502), ("error", 502), ("refuse", 400)])
async def test_a_token_endpoint_answering_garbage_is_502_and_a_refusal_400(
    client, db, broken, mode, expected
):
    broken.mode = mode
    async with browser_session() as http:
        url = f"{base(client)}/api/auth/oidc/plainbroken/start"
        async with http.get(url, allow_redirects=False) as response:
            assert response.status == 302
            state = dict(parse_qsl(urlsplit(response.headers["Location"]).query))["state"]
        url = f"{base(client)}/api/auth/oidc/plainbroken/callback"
        params = {"state": state, "code": "whatever"}
        async with http.get(url, params=params, allow_redirects=False) as response:
            status, text = response.status, await response.text()
    assert status == expected, text
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_starts_waiting_on_a_slow_discovery_share_one_fetch(client, broken):
    broken.mode = "slow"
    async with browser_session() as http:
        statuses = await asyncio.gather(*(get_start(client, http) for _ in range(3)))
    assert [status for status, _ in statuses] == [302, 302, 302]
    assert broken.discoveries == 1


async def test_a_forged_error_callback_shows_none_of_its_text(client, broken):
    """Anyone can craft ``/callback?error=...&error_description=...``: without a live flow of
    this browser, the provider's free text must not appear on our origin (content spoofing)."""
    spoof = "Your account is suspended: call +1 555 0100 now"
    async with browser_session() as http:
        url = f"{base(client)}/api/auth/oidc/plainbroken/callback"
        params = {"error": "access_denied", "error_description": spoof, "state": "made-up"}
        async with http.get(url, params=params, allow_redirects=False) as response:
            status, text = response.status, await response.text()
    assert status == 400
    assert spoof not in text and "suspended" not in text
