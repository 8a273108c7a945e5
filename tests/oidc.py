"""A real OpenID provider for the tests: ``oidc-provider-mock`` (PyPI) in a process of its
own on a port of its own, spoken to over HTTP like any provider (discovery, JWKS, the
authorization form, the token and user-info endpoints). It checks PKCE and, started with
``--require-nonce``, insists on a nonce.

A test sets who signs in with ``set_user(sub, claims)`` (the provider's ``PUT /users/{sub}``)
and then either drives a browser through the provider's authorization form (type the subject,
press Authorize) or, without a browser, ``sign_in`` follows the same redirects over HTTP.

``ResigningFront`` stands in front of the provider as a provider of its own (its own issuer
and key set) and re-signs every ID token with a key of the test's choosing: with the key it
publishes, sign-in works; with another, the ID token must be refused.

Use it from a test module::

    from tests.oidc import oidc_provider, with_provider  # noqa: F401 (a fixture)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import sys
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import pytest
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from server.config import OidcProvider, Settings
from tests.processes import end_process, free_port
from tests.waits import eventually

PROVIDER = "mock"
LABEL = "Mock ID"
CLIENT_ID = "rizeos-test"
CLIENT_SECRET = "rizeos-test-secret"


class MockProvider:
    """``python -m oidc_provider_mock`` on 127.0.0.1; ``issuer`` is its base URL."""

    def __init__(self, require_nonce: bool = True) -> None:
        self.require_nonce = require_nonce
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None
        self.log: list[str] = []
        self._reader: asyncio.Task | None = None

    async def start(self) -> MockProvider:
        env = {**os.environ, "NO_COLOR": "1", "AUTHLIB_INSECURE_TRANSPORT": "1"}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            # The package itself still imports Authlib's deprecated ``authlib.jose``.
            "-W",
            "ignore",
            "-m",
            "oidc_provider_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *(["--require-nonce"] if self.require_nonce else []),
            env=env,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
        )
        self._reader = asyncio.create_task(self._keep_log())
        async with aiohttp.ClientSession() as http:

            async def ready() -> bool:
                assert self.proc is not None and self.proc.returncode is None, (
                    "the OpenID provider exited: " + "".join(self.log[-20:])
                )
                try:
                    url = self.issuer + "/.well-known/openid-configuration"
                    async with http.get(url) as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            await eventually(ready, 30, "the OpenID provider answered", every=0.1)
        return self

    async def _keep_log(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.log.append(line.decode(errors="replace"))

    async def stop(self) -> None:
        await end_process(self.proc, self._reader)

    async def set_user(self, sub: str, **claims: Any) -> None:
        """Who ``sub`` is: the claims the provider puts in ID tokens and user info."""
        async with aiohttp.ClientSession() as http:
            url = f"{self.issuer}/users/{quote(sub, safe='')}"
            async with http.put(url, json=claims) as response:
                assert response.status == 204, await response.text()


def provider_settings(
    settings: Settings, issuer: str, name: str = PROVIDER, label: str = LABEL
) -> Settings:
    provider = OidcProvider(
        name=name, label=label, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, issuer=issuer
    )
    return dataclasses.replace(settings, oidc_providers=(*settings.oidc_providers, provider))


@pytest.fixture
async def oidc_provider() -> AsyncIterator[MockProvider]:
    provider = await MockProvider().start()
    try:
        yield provider
    finally:
        await provider.stop()


@pytest.fixture
def with_provider(settings: Settings, oidc_provider: MockProvider) -> Settings:
    """Override ``settings`` with this in a test module: the app then offers the provider."""
    return provider_settings(settings, oidc_provider.issuer)


class Flow:
    """One sign-in walked over HTTP as a browser would, cookies and all (no browser): ``start``
    (our app sends us to the provider), ``authorize`` (the provider's form; it sends us back),
    ``finish`` (our callback)."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession):
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def start(self, provider: str = PROVIDER, **query: str) -> str:
        async with self.http.get(
            f"{self.base_url}/api/auth/oidc/{provider}/start",
            params=query,
            allow_redirects=False,
        ) as response:
            assert response.status == 302, await response.text()
            return response.headers["Location"]

    async def authorize(self, authorize_url: str, sub: str) -> str:
        """Submit the provider's form as ``sub``: the callback URL it sends us back to."""
        async with self.http.post(
            authorize_url, data={"sub": sub}, allow_redirects=False
        ) as response:
            assert response.status == 302, await response.text()
            return response.headers["Location"]

    async def finish(self, callback_url: str) -> tuple[int, str, str]:
        """Open the callback on our app: (status, Location or "", page text)."""
        parts = urlsplit(callback_url)
        async with self.http.get(
            f"{self.base_url}{parts.path}?{parts.query}", allow_redirects=False
        ) as response:
            return response.status, response.headers.get("Location", ""), await response.text()

    async def sign_in(self, sub: str, provider: str = PROVIDER, **query: str):
        return await self.finish(await self.authorize(await self.start(provider, **query), sub))

    def cookie(self, name: str) -> str | None:
        for cookie in self.http.cookie_jar:
            if cookie.key == name:
                return cookie.value
        return None


@contextlib.asynccontextmanager
async def browser_session(
    cookies: dict[str, str] | None = None,
) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client that keeps cookies for IP-address hosts, like a browser."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        if cookies:
            http.cookie_jar.update_cookies(cookies)
        yield http


class ResigningFront:
    """A provider of its own in front of ``upstream``: the same login form and codes, but its
    own issuer, and every ID token re-signed with ``signing_key`` (``kid`` kept as the key
    published here). Publishes ``published_key``. Only the signature differs when
    ``signing_key`` is not the published key."""

    def __init__(self, upstream: MockProvider):
        self.upstream = upstream
        self.published_key = RSAKey.generate_key(2048, {"kid": "front-key"})
        self.signing_key = self.published_key
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    def sign_with_another_key(self) -> None:
        self.signing_key = RSAKey.generate_key(2048, {"kid": "front-key"})

    async def start(self) -> ResigningFront:
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_post("/oauth2/token", self._token)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _discovery(self, request: web.Request) -> web.Response:
        url = self.upstream.issuer + "/.well-known/openid-configuration"
        assert self._http is not None
        async with self._http.get(url) as response:
            document = await response.json()
        document = {
            key: value.replace(self.upstream.issuer, self.issuer)
            if isinstance(value, str)
            else value
            for key, value in document.items()
        }
        return web.json_response(document)

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response(KeySet([self.published_key]).as_dict(private=False))

    async def _token(self, request: web.Request) -> web.Response:
        assert self._http is not None
        form = await request.post()
        headers = {k: v for k, v in request.headers.items() if k.lower() == "authorization"}
        async with self._http.post(
            self.upstream.issuer + "/oauth2/token", data=dict(form), headers=headers
        ) as response:
            body = await response.json()
            status = response.status
        if "id_token" in body:
            claims = jwt.decode(
                body["id_token"], KeySet.import_key_set(await self._upstream_keys())
            ).claims
            claims["iss"] = self.issuer
            body["id_token"] = jwt.encode(
                {"alg": "RS256", "kid": "front-key"}, claims, self.signing_key
            )
        return web.json_response(body, status=status)

    async def _upstream_keys(self) -> dict[str, Any]:
        assert self._http is not None
        async with self._http.get(self.upstream.issuer + "/jwks") as response:
            return await response.json()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._http is not None
        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("content-type", "authorization")
        }
        async with self._http.request(
            request.method,
            self.upstream.issuer + request.path_qs,
            data=body,
            headers=headers,
            allow_redirects=False,
        ) as response:
            text = await response.read()
            out = web.Response(body=text, status=response.status)
            for name in ("Content-Type", "Location"):
                if name in response.headers:
                    out.headers[name] = response.headers[name]
            return out
