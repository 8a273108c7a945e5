"""Signing in with an identity provider, against a real OpenID provider over HTTP
(tests/oidc.py): new people, linking, and every forged or refused callback changing nothing."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from server.auth.middleware import CSRF_COOKIE, SESSION_COOKIE
from tests.client import PASSWORD
from tests.oidc import LABEL, PROVIDER, Flow, browser_session, oidc_provider, provider_settings

__all__ = ["oidc_provider"]  # the fixture, used here


@pytest.fixture
def settings(settings, oidc_provider):
    return provider_settings(settings, oidc_provider.issuer)


def base(client) -> str:
    return str(client.make_url("")).rstrip("/")


async def snapshot(db) -> dict[str, object]:
    """What a refused callback must leave as it was."""
    async with db.connection() as conn:
        return {
            "users": await conn.fetch(
                "SELECT id, email, password_hash, roles, is_verified FROM users ORDER BY id"
            ),
            "identities": await conn.fetch(
                "SELECT user_id, provider, subject, email FROM user_identities ORDER BY id"
            ),
            "sessions": await conn.fetchval("SELECT count(*) FROM sessions"),
            "profiles": await conn.fetchval("SELECT count(*) FROM profiles"),
        }


def sub() -> str:
    return f"person-{uuid.uuid4().hex[:8]}"


def with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_providers_are_listed(api):
    listed = await api.get("/api/auth/providers", expect=200)
    assert listed == {"items": [{"name": PROVIDER, "label": LABEL}]}


async def test_a_new_person_gets_an_account_without_password_and_chooses_roles(
    api, client, db, oidc_provider
):
    subject = sub()
    email = f"{subject}@example.com"
    await oidc_provider.set_user(subject, email=email, email_verified=True, name="Ada Lovelace")
    async with browser_session() as http:
        flow = Flow(base(client), http)
        authorize = await flow.start()
        query = dict(parse_qsl(urlsplit(authorize).query))
        assert query["code_challenge_method"] == "S256" and query["code_challenge"]
        assert query["nonce"] and query["state"] and query["client_id"]
        status, location, _ = await flow.finish(await flow.authorize(authorize, subject))
        assert (status, location) == (302, "/welcome")
        assert flow.cookie(SESSION_COOKIE)
        async with db.connection() as conn:
            user = await conn.fetchrow("SELECT * FROM users WHERE email = $1", email)
            method = await conn.fetchval(
                "SELECT sign_in_method FROM sessions WHERE user_id = $1", user["id"]
            )
            name = await conn.fetchval(
                "SELECT full_name FROM profiles WHERE user_id = $1", user["id"]
            )
            identity = await conn.fetchrow(
                "SELECT * FROM user_identities WHERE user_id = $1", user["id"]
            )
        assert user["password_hash"] is None and user["is_verified"] is True
        assert user["roles"] == []
        assert method == f"oidc:{PROVIDER}" and name == "Ada Lovelace"
        assert (identity["provider"], identity["subject"]) == (PROVIDER, subject)

        async with http.get(f"{base(client)}/welcome", allow_redirects=False) as response:
            assert response.headers["Location"] == "/welcome/roles"
        headers = {"X-CSRF-Token": flow.cookie(CSRF_COOKIE) or ""}
        url = f"{base(client)}/api/me/roles/first"
        async with http.post(url, json={"roles": ["student", "freelancer"]}, headers=headers) as r:
            assert r.status == 200, await r.text()
            assert (await r.json())["roles"] == ["freelancer", "student"]
        async with http.post(url, json={"roles": ["employer"]}, headers=headers) as r:
            assert r.status == 409
        async with http.get(f"{base(client)}/welcome", allow_redirects=False) as response:
            assert response.headers["Location"] == "/onboarding"
        async with http.get(f"{base(client)}/api/me/identities") as response:
            mine = await response.json()
        assert mine["has_password"] is False
        assert [(i["provider"], i["label"], i["email"]) for i in mine["items"]] == [
            (PROVIDER, LABEL, email)
        ]


async def test_an_unverified_provider_email_makes_an_unverified_account(client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=False)
    async with browser_session() as http:
        status, location, _ = await Flow(base(client), http).sign_in(subject)
    assert (status, location) == (302, "/welcome")
    async with db.connection() as conn:
        verified = await conn.fetchval(
            "SELECT is_verified FROM users WHERE email = $1", f"{subject}@example.com"
        )
    assert verified is False


async def test_an_unverified_provider_email_never_links_an_existing_account(
    api, client, db, oidc_provider
):
    owner = await api.sign_up(["student"])
    subject = sub()
    await oidc_provider.set_user(subject, email=owner.email.upper(), email_verified=False)
    before = await snapshot(db)
    async with browser_session() as http:
        status, _, page = await Flow(base(client), http).sign_in(subject)
        assert flow_cookie_session(http) is None
    assert status == 409
    assert "An account with this email exists" in page and f"link {LABEL}" in page
    assert await snapshot(db) == before


async def test_a_provider_email_that_receives_no_mail_makes_no_account(
    api, client, db, oidc_provider
):
    """A deleted account keeps ``deleted+<id>@deleted.invalid``: a provider handing out that
    address must not make an account holding it (the deletion would then fail)."""
    victim = await api.sign_up(["student"])
    subject = sub()
    tomb = f"deleted+{victim.id}@deleted.invalid"
    await oidc_provider.set_user(subject, email=tomb, email_verified=True)
    before = await snapshot(db)
    async with browser_session() as http:
        status, _, page = await Flow(base(client), http).sign_in(subject)
        assert flow_cookie_session(http) is None
    assert status == 422 and "receives mail" in page
    assert await snapshot(db) == before


def flow_cookie_session(http) -> str | None:
    return next((c.value for c in http.cookie_jar if c.key == SESSION_COOKIE), None)


async def test_a_verified_provider_email_needs_a_verified_account_to_link(
    api, client, db, oidc_provider
):
    unverified = await api.sign_up(["student"], verified=False)
    subject = sub()
    await oidc_provider.set_user(subject, email=unverified.email, email_verified=True)
    before = await snapshot(db)
    async with browser_session() as http:
        status, _, _ = await Flow(base(client), http).sign_in(subject)
    assert status == 409
    assert await snapshot(db) == before


async def test_a_verified_email_links_the_verified_account_and_a_changed_email_still_finds_it(
    api, client, db, oidc_provider
):
    owner = await api.sign_up(["employer"])
    subject = sub()
    await oidc_provider.set_user(subject, email=owner.email, email_verified=True)
    async with browser_session() as http:
        status, location, _ = await Flow(base(client), http).sign_in(subject, next="/hiring")
    assert (status, location) == (302, "/hiring")
    # The person changes their address at the provider: the subject still finds them.
    await oidc_provider.set_user(subject, email="new-address@example.org", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        status, location, _ = await flow.sign_in(subject)
        assert (status, location) == (302, "/welcome")
        async with http.get(f"{base(client)}/api/me") as response:
            me = await response.json()
    assert me["user"]["id"] == str(owner.id) and me["user"]["roles"] == ["employer"]
    async with db.connection() as conn:
        users = await conn.fetchval(
            "SELECT count(*) FROM users WHERE email = 'new-address@example.org'"
        )
        email = await conn.fetchval("SELECT email FROM user_identities WHERE subject = $1", subject)
    assert users == 0 and email == "new-address@example.org"


async def test_a_tampered_state_is_refused_and_changes_nothing(client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        callback = await flow.authorize(await flow.start(), subject)
        state = dict(parse_qsl(urlsplit(callback).query))["state"]
        before = await snapshot(db)
        status, _, page = await flow.finish(with_param(callback, state=state[:-2] + "xx"))
        assert status == 400
        assert "unknown, already used, expired or was started in another browser" in page
        assert await snapshot(db) == before
        # The genuine answer still works once, and only once.
        assert (await flow.finish(callback))[:2] == (302, "/welcome")
        assert (await flow.finish(callback))[0] == 400


async def test_a_callback_in_another_browser_is_refused(client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as mine, browser_session() as theirs:
        flow = Flow(base(client), mine)
        callback = await flow.authorize(await flow.start(), subject)
        before = await snapshot(db)
        status, _, _ = await Flow(base(client), theirs).finish(callback)
        assert status == 400
        assert await snapshot(db) == before
        assert (await flow.finish(callback))[:2] == (302, "/welcome")


async def test_an_id_token_with_another_flows_nonce_is_refused(client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        first = await flow.start()
        second = await flow.start()
        # The second request goes to the provider carrying the first flow's nonce: the ID
        # token then holds a nonce that is not the second flow's.
        first_nonce = dict(parse_qsl(urlsplit(first).query))["nonce"]
        callback = await flow.authorize(with_param(second, nonce=first_nonce), subject)
        before = await snapshot(db)
        status, _, page = await flow.finish(callback)
    assert status == 400
    assert "nonce" in page
    assert await snapshot(db) == before


async def test_a_provider_refusal_is_shown_and_changes_nothing(client, db, oidc_provider):
    async with browser_session() as http:
        flow = Flow(base(client), http)
        authorize = await flow.start()
        async with http.post(authorize, data={"action": "deny"}, allow_redirects=False) as r:
            callback = r.headers["Location"]
        before = await snapshot(db)
        status, _, page = await flow.finish(callback)
    assert status == 400 and f"{LABEL} did not sign you in" in page
    assert await snapshot(db) == before


async def test_unknown_provider_and_link_without_a_session_are_refused_pages(client):
    async with browser_session() as http:
        async with http.get(f"{base(client)}/api/auth/oidc/nope/start") as response:
            assert response.status == 404 and "text/html" in response.content_type
        url = f"{base(client)}/api/auth/oidc/{PROVIDER}/start?intent=link"
        async with http.get(url, allow_redirects=False) as response:
            assert response.status == 401 and "Log in first" in await response.text()
        url = f"{base(client)}/api/auth/oidc/{PROVIDER}/start?intent=steal"
        async with http.get(url, allow_redirects=False) as response:
            assert response.status == 400


async def log_in(http, client, email: str) -> None:
    url = f"{base(client)}/api/auth/login"
    async with http.post(url, json={"email": email, "password": PASSWORD}) as response:
        assert response.status == 200


async def test_a_signed_in_user_links_a_provider_then_signs_in_with_it(
    api, client, db, oidc_provider
):
    owner = await api.sign_up(["professional"])
    subject = sub()
    # The provider's address differs and is unverified: linking from settings is explicit.
    await oidc_provider.set_user(subject, email="elsewhere@example.net", email_verified=False)
    async with browser_session() as http:
        await log_in(http, client, owner.email)
        status, location, _ = await Flow(base(client), http).sign_in(subject, intent="link")
        assert (status, location) == (302, f"/settings/account?linked={PROVIDER}")
    async with browser_session() as http:
        status, location, _ = await Flow(base(client), http).sign_in(subject)
        assert (status, location) == (302, "/welcome")
        async with http.get(f"{base(client)}/api/me") as response:
            assert (await response.json())["user"]["id"] == str(owner.id)

    # Someone else cannot link the same provider account to theirs.
    other = await api.sign_up(["student"])
    before = await snapshot(db)
    async with browser_session() as http:
        await log_in(http, client, other.email)
        status, _, page = await Flow(base(client), http).sign_in(subject, intent="link")
    assert status == 409 and "already linked to another RizeOS account" in page
    after = await snapshot(db)
    # Logging in made a session; nothing else changed.
    assert after["identities"] == before["identities"] and after["users"] == before["users"]


async def test_reauthentication_stamps_the_session(api, client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        await flow.sign_in(subject)
        async with db.connection() as conn:
            await conn.execute("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        status, location, _ = await flow.sign_in(
            subject, intent="reauth", next="/settings/account#delete"
        )
        assert (status, location) == (302, "/settings/account#delete")
        async with db.connection() as conn:
            age = await conn.fetchval(
                "SELECT min(now() - authenticated_at) < interval '1 minute' FROM sessions"
            )
        assert age is True
        # Another provider account is not proof of being this person.
        stranger = sub()
        await oidc_provider.set_user(stranger, email=f"{stranger}@example.com")
        status, _, _ = await flow.sign_in(stranger, intent="reauth")
        assert status == 403


async def test_the_last_way_to_sign_in_cannot_be_unlinked(api, client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        await flow.sign_in(subject)
        headers = {"X-CSRF-Token": flow.cookie(CSRF_COOKIE) or ""}
        url = f"{base(client)}/api/me/identities/{PROVIDER}"
        async with http.delete(url, headers=headers) as response:
            assert response.status == 409
            assert "only way to sign in" in (await response.json())["detail"]
        async with http.delete(f"{base(client)}/api/me/identities/other", headers=headers) as r:
            assert r.status == 404
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM user_identities") == 1

    # With a password, the provider may go.
    owner = await api.sign_up(["student"])
    await oidc_provider.set_user(subject + "x", email=owner.email, email_verified=True)
    async with browser_session() as http:
        await Flow(base(client), http).sign_in(subject + "x")
    await api.delete(f"/api/me/identities/{PROVIDER}", as_=owner, expect=204)
    assert (await api.get("/api/me/identities", as_=owner))["items"] == []


async def test_an_expired_sign_in_is_refused_and_changes_nothing(client, db, oidc_provider):
    subject = sub()
    await oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        callback = await flow.authorize(await flow.start(), subject)
        async with db.connection() as conn:  # ten minutes pass
            await conn.execute("UPDATE oidc_logins SET expires_at = now() - interval '1 second'")
        before = await snapshot(db)
        status, _, _ = await flow.finish(callback)
    assert status == 400
    assert await snapshot(db) == before


async def test_a_password_less_account_confirms_with_its_provider_then_is_deleted(
    client, db, oidc_provider
):
    """Re-authentication with the provider is what lets an account without a password be
    deleted (docs/privacy.md); afterwards the same provider account starts afresh."""
    subject = sub()
    email = f"{subject}@example.com"
    await oidc_provider.set_user(subject, email=email, email_verified=True)
    async with browser_session() as http:
        flow = Flow(base(client), http)
        await flow.sign_in(subject)
        headers = {"X-CSRF-Token": flow.cookie(CSRF_COOKIE) or ""}
        async with db.connection() as conn:  # signed in long ago
            await conn.execute("UPDATE sessions SET authenticated_at = now() - interval '1 day'")
        async with http.delete(
            f"{base(client)}/api/me", json={"confirm": email}, headers=headers
        ) as response:
            assert response.status == 403
        await flow.sign_in(subject, intent="reauth", next="/settings/account")
        async with http.delete(
            f"{base(client)}/api/me", json={"confirm": email}, headers=headers
        ) as response:
            assert response.status == 204, await response.text()
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM user_identities") == 0
    async with browser_session() as http:
        flow = Flow(base(client), http)
        assert (await flow.sign_in(subject))[:2] == (302, "/welcome")
        async with http.get(f"{base(client)}/api/me") as response:
            assert (await response.json())["user"]["roles"] == []
