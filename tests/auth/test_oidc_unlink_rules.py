"""The last way to sign in (review of issue 17): an identity with a provider the site no
longer offers cannot sign anyone in, so it does not count as another way."""

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
