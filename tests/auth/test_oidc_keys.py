"""An ID token signed by a key the provider does not publish is refused, over real HTTP: a
provider front (tests/oidc.py ``ResigningFront``) re-signs the real provider's ID tokens."""

from __future__ import annotations

import pytest

from tests.auth.test_oidc import base, snapshot, sub
from tests.oidc import Flow, ResigningFront, browser_session, oidc_provider, provider_settings

__all__ = ["oidc_provider"]


@pytest.fixture
async def front(oidc_provider):
    front = await ResigningFront(oidc_provider).start()
    yield front
    await front.stop()


@pytest.fixture
def settings(settings, front):
    return provider_settings(settings, front.issuer)


async def test_an_id_token_signed_by_another_key_is_refused(client, db, oidc_provider, front):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    # Signed with the key the front publishes, the same sign-in goes through...
    async with browser_session() as http:
        assert (await Flow(base(client), http).sign_in(subject))[:2] == (302, "/welcome")

    # ...signed by another key (same key id), it is refused and changes nothing.
    front.sign_with_another_key()
    other = sub()
    await oidc_provider.set_user(other, email=f"{other}@example.com", email_verified=True)
    before = await snapshot(db)
    async with browser_session() as http:
        status, _, page = await Flow(base(client), http).sign_in(other)
    assert status == 400
    assert "the ID token did not verify" in page
    assert await snapshot(db) == before
