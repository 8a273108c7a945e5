"""Accounts: sign-up, sessions, email verification, password reset, roles, CSRF."""

from __future__ import annotations

import aiohttp

from tests.client import PASSWORD


async def test_signup_creates_user_with_empty_profile_and_mails_verification(api, db):
    user = await api.sign_up(["student"], verified=False, full_name="Ana Lima")
    me = await api.get("/api/me", as_=user, expect=200)
    assert me["user"]["email"] == user.email
    assert me["user"]["roles"] == ["student"]
    assert me["user"]["is_verified"] is False
    async with db.connection() as conn:
        profile = await conn.fetchrow("SELECT * FROM profiles WHERE user_id = $1", user.id)
    assert profile["full_name"] == "Ana Lima"
    assert profile["skills"] == {"claimed": [], "verified": []}
    assert api.mailbox.last_token(user.email, "confirm")


async def test_verification_token_flips_is_verified_once(api):
    user = await api.sign_up(verified=False)
    token = api.mailbox.last_token(user.email, "confirm")
    verified = await api.post("/api/auth/verify-email", {"token": token}, expect=200)
    assert verified["is_verified"] is True
    again = await api.post("/api/auth/verify-email", {"token": token}, expect=422)
    assert again["errors"][0]["field"] == "token"


async def test_unknown_verification_token_is_refused(api):
    user = await api.sign_up(verified=False)
    await api.post("/api/auth/verify-email", {"token": "x" * 43}, expect=422)
    me = await api.get("/api/me", as_=user, expect=200)
    assert me["user"]["is_verified"] is False


async def test_resent_verification_retires_the_old_token(api):
    user = await api.sign_up(verified=False)
    old = api.mailbox.last_token(user.email, "confirm")
    await api.post("/api/auth/verify-email/resend", as_=user, expect=202)
    new = api.mailbox.last_token(user.email, "confirm")
    assert new != old
    await api.post("/api/auth/verify-email", {"token": old}, expect=422)
    await api.post("/api/auth/verify-email", {"token": new}, expect=200)
    await api.post("/api/auth/verify-email/resend", as_=user, expect=409)


async def test_duplicate_email_is_conflict_case_insensitively(api):
    user = await api.sign_up()
    body = {"email": user.email.upper(), "password": PASSWORD, "roles": ["student"]}
    await api.post("/api/auth/signup", body, expect=409)


async def test_signup_refuses_admin_role_and_unknown_roles(api, db):
    for roles in (["admin"], ["wizard"], []):
        body = {"email": "x@example.com", "password": PASSWORD, "roles": roles}
        problem = await api.post("/api/auth/signup", body, expect=422)
        assert problem["errors"][0]["field"].startswith("body.roles")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_signup_validates_email_and_password(api):
    bad = [
        {"email": "not-an-email", "password": PASSWORD, "roles": ["student"]},
        {"email": "a@example.com", "password": "short", "roles": ["student"]},
        {"email": "a@example.com", "password": PASSWORD, "roles": ["student"], "extra": 1},
        {"email": 5, "password": PASSWORD, "roles": ["student"]},
    ]
    for body in bad:
        problem = await api.post("/api/auth/signup", body, expect=422)
        assert problem["status"] == 422 and problem["errors"]
    # said in words a person filling in the form understands, beside the email field
    problem = await api.post("/api/auth/signup", bad[0], expect=422)
    assert problem["errors"] == [{"field": "body.email", "message": "is not a valid email address"}]


async def test_login_and_logout_revokes_the_token(api):
    user = await api.sign_up()
    session = await api.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=200
    )
    headers = {"Authorization": f"Bearer {session['token']}"}
    await api.get("/api/me", headers=headers, expect=200)
    await api.post("/api/auth/logout", headers=headers, expect=204)
    problem = await api.get("/api/me", headers=headers, expect=401)
    assert "revoked" in problem["detail"]
    # the other session is untouched
    await api.get("/api/me", as_=user, expect=200)


async def test_wrong_password_and_unknown_email_look_the_same(api):
    user = await api.sign_up()
    a = await api.post(
        "/api/auth/login", {"email": user.email, "password": "wrong-pass-1"}, expect=401
    )
    b = await api.post(
        "/api/auth/login", {"email": "nobody@example.com", "password": "wrong-pass-1"}, expect=401
    )
    assert a["detail"] == b["detail"]


async def test_session_cookie_is_httponly_samesite_lax(api):
    user = await api.sign_up()
    response = await api.client.post(
        "/api/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    assert response.status == 200
    cookie = response.cookies["rizeos_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not response.cookies["rizeos_csrf"]["httponly"]


async def test_cookie_session_mutation_needs_csrf_token(api):
    user = await api.sign_up(["student"])
    async with aiohttp.ClientSession(
        base_url=api.client.make_url("/"), cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as browser:
        login = await browser.post(
            "/api/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        csrf = (await login.json())["csrf_token"]
        me = await browser.get("/api/me")
        assert me.status == 200
        assert (await me.json())["csrf_token"] == csrf
        refused = await browser.post("/api/me/roles", json={"role": "freelancer"})
        assert refused.status == 403
        assert "CSRF" in (await refused.json())["detail"]
        assert (await (await browser.get("/api/me")).json())["user"]["roles"] == ["student"]
        wrong = await browser.post(
            "/api/me/roles", json={"role": "freelancer"}, headers={"X-CSRF-Token": "0" * 64}
        )
        assert wrong.status == 403
        ok = await browser.post(
            "/api/me/roles", json={"role": "freelancer"}, headers={"X-CSRF-Token": csrf}
        )
        assert ok.status == 200
        assert sorted((await ok.json())["roles"]) == ["freelancer", "student"]


async def test_bad_authorization_header_is_401(api):
    await api.get("/api/me", headers={"Authorization": "Basic abc"}, expect=401)
    await api.get("/api/me", headers={"Authorization": "Bearer nope"}, expect=401)
    await api.get("/api/me", expect=401)


async def test_password_reset_sets_new_password_and_logs_out_everywhere(api):
    user = await api.sign_up()
    await api.post("/api/auth/password-reset", {"email": user.email}, expect=202)
    token = api.mailbox.last_token(user.email, "reset")
    new_password = "a much better passphrase"
    await api.post(
        "/api/auth/password-reset/confirm", {"token": token, "password": new_password}, expect=204
    )
    await api.get("/api/me", as_=user, expect=401)
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=401)
    await api.post("/api/auth/login", {"email": user.email, "password": new_password}, expect=200)
    # single use
    await api.post(
        "/api/auth/password-reset/confirm",
        {"token": token, "password": "another one 123"},
        expect=422,
    )


async def test_password_reset_for_unknown_email_answers_the_same_and_sends_nothing(api):
    answer = await api.post("/api/auth/password-reset", {"email": "ghost@example.com"}, expect=202)
    assert "if an account" in answer["detail"]
    assert not [m for m in api.mailbox.messages if m["to"] == "ghost@example.com"]


async def test_users_manage_their_own_roles_but_never_admin(api):
    user = await api.sign_up(["student"])
    added = await api.post("/api/me/roles", {"role": "freelancer"}, as_=user, expect=200)
    assert sorted(added["roles"]) == ["freelancer", "student"]
    await api.post("/api/me/roles", {"role": "admin"}, as_=user, expect=422)
    removed = await api.delete("/api/me/roles/student", as_=user, expect=200)
    assert removed["roles"] == ["freelancer"]
    await api.delete("/api/me/roles/freelancer", as_=user, expect=409)
    await api.delete("/api/me/roles/admin", as_=user, expect=422)
    await api.delete("/api/me/roles/employer", as_=user, expect=404)


async def test_create_admin_makes_a_verified_admin(api, db):
    admin = await api.admin(db)
    me = await api.get("/api/me", as_=admin, expect=200)
    assert me["user"]["roles"] == ["admin"]
    assert me["user"]["is_verified"] is True


async def test_signup_refuses_blank_names_and_control_characters_in_email(api, db):
    bad = [
        {"email": "a@example.com", "password": PASSWORD, "roles": ["student"], "full_name": "  "},
        {"email": "a\u0001@example.com", "password": PASSWORD, "roles": ["student"]},
        {"email": "a@exa\u0000mple.com", "password": PASSWORD, "roles": ["student"]},
    ]
    for body in bad:
        await api.post("/api/auth/signup", body, expect=422)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


def test_create_admin_refuses_a_malformed_email():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-m", "server", "create-admin", "not-an-email", "--password-stdin"],
        cwd=Path(__file__).resolve().parents[2],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "postgresql://127.0.0.1:1/x",
            "SECRET_KEY": "k" * 40,
        },
    )
    assert result.returncode == 2
    assert "not an email address" in result.stderr
