"""``/start`` writes a flow row for anyone who asks: a per-IP limit bounds that (review of
issue 17), and a refused start writes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from tests.auth.test_oidc import base
from tests.oidc import browser_session, oidc_provider, provider_settings

__all__ = ["oidc_provider"]


@pytest.fixture
def settings(settings, oidc_provider):
    limited = dataclasses.replace(settings, oidc_start_ip_burst=2, oidc_start_ip_per_minute=1)
    return provider_settings(limited, oidc_provider.issuer)


async def test_starts_beyond_the_ip_limit_are_429_and_write_no_flow(client, db):
    statuses = []
    async with browser_session() as http:
        for _ in range(3):
            url = f"{base(client)}/api/auth/oidc/mock/start"
            async with http.get(url, allow_redirects=False) as response:
                statuses.append(response.status)
                text = await response.text()
                retry = response.headers.get("Retry-After")
    assert statuses == [302, 302, 429]
    assert retry and int(retry) >= 1
    assert "Too many" in text or "too many" in text
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM oidc_logins") == 2


async def test_behind_a_trusted_balancer_each_forwarded_client_has_its_own_limit(
    settings, aiohttp_client
):
    from ipaddress import ip_network

    from server.app import create_app

    behind = dataclasses.replace(settings, trusted_proxies=(ip_network("127.0.0.1/32"),))
    client = await aiohttp_client(create_app(behind))
    url = f"{base(client)}/api/auth/oidc/mock/start"
    statuses = []
    async with browser_session() as http:
        for forwarded_for in ("203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"):
            headers = {"X-Forwarded-For": forwarded_for}
            async with http.get(url, headers=headers, allow_redirects=False) as response:
                statuses.append(response.status)
    assert statuses == [302, 302, 429, 302]
