"""A plain OAuth 2 provider (GitHub-style: no discovery, no ID token, the person read from a
user-info endpoint), configured with its three URLs: here the real OpenID provider's own
endpoints, used without OpenID Connect."""

from __future__ import annotations

import dataclasses

import pytest

from server.config import OidcProvider
from tests.auth.test_oidc import base, sub
from tests.oidc import CLIENT_ID, CLIENT_SECRET, Flow, MockProvider, browser_session


@pytest.fixture
async def plain_provider():
    provider = await MockProvider(require_nonce=False).start()
    yield provider
    await provider.stop()


@pytest.fixture
def settings(settings, plain_provider):
    issuer = plain_provider.issuer
    provider = OidcProvider(
        name="plain",
        label="Plain",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes="email profile",
        authorize_url=f"{issuer}/oauth2/authorize",
        token_url=f"{issuer}/oauth2/token",
        userinfo_url=f"{issuer}/userinfo",
    )
    return dataclasses.replace(settings, oidc_providers=(provider,))


async def test_a_plain_oauth2_provider_signs_a_person_in_from_its_user_info(
    client, db, plain_provider
):
    subject = sub()
    await plain_provider.set_user(subject, email=f"{subject}@example.com", name="Octo Cat")
    async with browser_session() as http:
        flow = Flow(base(client), http)
        authorize = await flow.start("plain")
        assert "nonce=" not in authorize and "code_challenge_method=S256" in authorize
        status, location, _ = await flow.finish(await flow.authorize(authorize, subject))
    assert (status, location) == (302, "/welcome")
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT u.is_verified, i.subject, p.full_name FROM users u"
            " JOIN user_identities i ON i.user_id = u.id JOIN profiles p ON p.user_id = u.id"
            " WHERE i.provider = 'plain'"
        )
    # The provider did not say the address is verified: the account is not.
    assert (row["is_verified"], row["subject"], row["full_name"]) == (False, subject, "Octo Cat")
