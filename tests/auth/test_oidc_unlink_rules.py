"""Review of issue 17: an identity with a provider the site no longer offers is not a way to
sign in; confirming who you are asks the provider to sign the person in afresh."""

from __future__ import annotations

import pytest

from server.auth.middleware import CSRF_COOKIE
from tests.auth.test_oidc import base, sub
from tests.oidc import PROVIDER, Flow, browser_session, oidc_provider, provider_settings

__all__ = ["oidc_provider"]


@pytest.fixture
def settings(settings, oidc_provider):
    return provider_settings(settings, oidc_provider.issuer)


async def test_an_identity_with_a_provider_no_longer_offered_is_not_a_way_to_sign_in(
    client, db, oidc_provider
):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        await flow.sign_in(subject)
        async with db.connection() as conn:
            user_id = await conn.fetchval("SELECT user_id FROM user_identities")
            await conn.execute(
                "INSERT INTO user_identities (user_id, provider, subject)"
                " VALUES ($1, 'retired', 'old-subject')",
                user_id,
            )
        headers = {"X-CSRF-Token": flow.cookie(CSRF_COOKIE) or ""}
        url = f"{base(client)}/api/me/identities/{PROVIDER}"
        async with http.delete(url, headers=headers) as response:
            assert response.status == 409, await response.text()
        # The retired one may go: it signs nobody in.
        async with http.delete(f"{base(client)}/api/me/identities/retired", headers=headers) as r:
            assert r.status == 204, await r.text()
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT provider FROM user_identities")
    assert [r["provider"] for r in rows] == [PROVIDER]


async def test_reauthentication_asks_the_provider_to_sign_in_afresh(client, oidc_provider):
    """Confirming who you are must not pass on the provider's remembered session alone
    (OIDC Core 3.1.2.1: prompt=login, max_age=0); a plain sign-in does not ask that."""
    from urllib.parse import parse_qsl, urlsplit

    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        plain = dict(parse_qsl(urlsplit(await flow.start()).query))
        await flow.sign_in(subject)
        reauth = dict(parse_qsl(urlsplit(await flow.start(intent="reauth")).query))
    assert "prompt" not in plain and "max_age" not in plain
    assert (reauth.get("prompt"), reauth.get("max_age")) == ("login", "0")
