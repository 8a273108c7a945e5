"""A signed-in person's sessions, password and email (server/auth/security.py), and the
password-attempt limits (server/auth/attempts.py): every route, and every refusal changing
nothing."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from server.auth.last_seen import LAST_SEEN
from server.auth.tokens import token_hash
from server.config import Settings
from tests.caching import acquisitions, listening, session_cached
from tests.client import PASSWORD, Api, User
from tests.sockets import connect_socket
from tests.waits import eventually

NEW_PASSWORD = "a brand new passphrase"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


def documented_limits(settings: Settings) -> Settings:
    """The documented sign-in limits (the shared test settings lift them for everyone else)."""
    defaults = Settings()
    return dataclasses.replace(
        settings,
        password_account_burst=defaults.password_account_burst,
        password_ip_burst=defaults.password_ip_burst,
    )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return documented_limits(settings)


async def log_in(api: Api, user: User, user_agent: str = CHROME, password: str = PASSWORD) -> User:
    data = await api.post(
        "/api/auth/login",
        {"email": user.email, "password": password},
        headers={"User-Agent": user_agent},
        expect=200,
    )
    return dataclasses.replace(user, token=data["token"], csrf=data["csrf_token"])


async def session_rows(db, user_id: uuid.UUID) -> list:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT id, revoked_at, last_seen_at FROM sessions WHERE user_id = $1"
            " ORDER BY created_at",
            user_id,
        )


async def test_sessions_list_names_devices_and_marks_this_one(api):
    user = await api.sign_up()
    phone = await log_in(api, user, IPHONE)
    laptop = await log_in(api, user, CHROME)
    listed = await api.get("/api/me/sessions", as_=laptop, expect=200)
    items = listed["items"]
    assert len(items) == 3  # sign-up's session too
    devices = {item["device"] for item in items}
    assert {"Chrome on Linux", "Mobile Safari on iOS"} <= devices
    current = [item for item in items if item["current"]]
    assert len(current) == 1 and current[0]["device"] == "Chrome on Linux"
    assert {item["sign_in_method"] for item in items} == {"password"}
    assert all(item["created_at"] and item["last_seen_at"] for item in items)
    seen = [item["last_seen_at"] for item in items]
    assert seen == sorted(seen, reverse=True)
    mine = [s for s in (await api.get("/api/me/sessions", as_=phone))["items"] if s["current"]]
    assert mine[0]["device"] == "Mobile Safari on iOS" and mine[0]["id"] != current[0]["id"]


async def test_sessions_list_needs_a_caller(api):
    await api.get("/api/me/sessions", expect=401)


async def test_revoking_a_session_ends_it_and_drops_its_socket(api, db):
    await listening(api)
    user = await api.sign_up()
    other = await log_in(api, user, IPHONE)
    url = str(api.client.make_url(""))
    socket = await connect_socket(url, other.token, ["/notifications"])
    try:
        sessions = (await api.get("/api/me/sessions", as_=user))["items"]
        target = next(s for s in sessions if not s["current"])
        await api.delete(f"/api/me/sessions/{target['id']}", as_=user, expect=204)
        await eventually(lambda: not socket.connected, what="the revoked session's socket closing")
        await api.get("/api/me", as_=other, expect=401)
        await api.get("/api/me", as_=user, expect=200)
        # already ended: 404, and nothing else changes
        await api.delete(f"/api/me/sessions/{target['id']}", as_=user, expect=404)
    finally:
        await socket.disconnect()


async def test_someone_elses_session_is_404_and_stays_live(api, db):
    alice = await api.sign_up()
    bob = await api.sign_up()
    bobs = (await api.get("/api/me/sessions", as_=bob))["items"][0]["id"]
    await api.delete(f"/api/me/sessions/{bobs}", as_=alice, expect=404)
    await api.delete(f"/api/me/sessions/{uuid.uuid4()}", as_=alice, expect=404)
    await api.delete("/api/me/sessions/not-an-id", as_=alice, expect=404)
    await api.get("/api/me", as_=bob, expect=200)
    assert all(row["revoked_at"] is None for row in await session_rows(db, bob.id))


async def test_revoke_others_keeps_this_session(api):
    user = await api.sign_up()
    a = await log_in(api, user)
    b = await log_in(api, user, IPHONE)
    answer = await api.post("/api/me/sessions/revoke-others", as_=a, expect=200)
    assert answer == {"revoked": 2}
    await api.get("/api/me", as_=a, expect=200)
    await api.get("/api/me", as_=b, expect=401)
    await api.get("/api/me", as_=user, expect=401)
    assert (await api.post("/api/me/sessions/revoke-others", as_=a)) == {"revoked": 0}
    assert [s["current"] for s in (await api.get("/api/me/sessions", as_=a))["items"]] == [True]


async def test_changing_the_password_ends_other_sessions_and_mails(api, mailbox):
    await listening(api)
    user = await api.sign_up()
    other = await log_in(api, user, IPHONE)
    url = str(api.client.make_url(""))
    socket = await connect_socket(url, other.token, ["/notifications"])
    try:
        answer = await api.post(
            "/api/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            as_=user,
            expect=200,
        )
        assert answer == {"revoked": 1}
        await eventually(lambda: not socket.connected, what="the other session's socket closing")
    finally:
        await socket.disconnect()
    await api.get("/api/me", as_=user, expect=200)
    await api.get("/api/me", as_=other, expect=401)
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=401)
    await log_in(api, user, password=NEW_PASSWORD)
    assert any(
        m["to"] == user.email and "password was changed" in m["subject"] for m in mailbox.messages
    )


async def test_a_wrong_or_missing_current_password_changes_nothing(api, db):
    user = await api.sign_up()
    other = await log_in(api, user)
    wrong = await api.post(
        "/api/me/password",
        {"current_password": "not my password", "new_password": NEW_PASSWORD},
        as_=user,
        expect=422,
    )
    assert wrong["errors"][0]["field"] == "current_password"
    missing = await api.post(
        "/api/me/password", {"new_password": NEW_PASSWORD}, as_=user, expect=422
    )
    assert missing["errors"][0]["field"] == "current_password"
    short = await api.post(
        "/api/me/password",
        {"current_password": PASSWORD, "new_password": "short"},
        as_=user,
        expect=422,
    )
    assert short["errors"][0]["field"] == "body.new_password"
    await api.get("/api/me", as_=other, expect=200)
    await log_in(api, user)  # the old password still works


async def test_an_account_without_a_password_sets_its_first(api, db, mailbox):
    user = await api.sign_up()
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET password_hash = NULL WHERE id = $1", user.id)
    await api.post("/api/me/password", {"new_password": NEW_PASSWORD}, as_=user, expect=200)
    await log_in(api, user, password=NEW_PASSWORD)
    assert any("password was set" in m["subject"] for m in mailbox.messages)


async def test_without_a_password_an_old_sign_in_must_be_renewed_first(api, db):
    user = await api.sign_up()
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET password_hash = NULL WHERE id = $1", user.id)
        await conn.execute(
            "UPDATE sessions SET authenticated_at = now() - interval '11 minutes'"
            " WHERE user_id = $1",
            user.id,
        )
    stale = await api.post("/api/me/password", {"new_password": NEW_PASSWORD}, as_=user, expect=403)
    assert "sign in again" in stale["detail"]
    await api.post("/api/me/email", {"new_email": "x@example.com"}, as_=user, expect=403)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT password_hash FROM users WHERE id = $1", user.id) is None
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM email_tokens WHERE user_id = $1 AND purpose = 'change_email'",
                user.id,
            )
            == 0
        )
        await conn.execute(
            "UPDATE sessions SET authenticated_at = now() WHERE user_id = $1", user.id
        )
    await api.post("/api/me/email", {"new_email": "x@example.com"}, as_=user, expect=202)


async def test_email_change_takes_effect_only_when_confirmed(api, mailbox, db):
    user = await api.sign_up()
    new = f"new-{uuid.uuid4().hex[:8]}@example.com"
    await api.get("/api/me/email-change", as_=user, expect=404)
    pending = await api.post(
        "/api/me/email",
        {"new_email": new, "current_password": PASSWORD},
        as_=user,
        expect=202,
    )
    assert pending["new_email"] == new
    assert (await api.get("/api/me/email-change", as_=user, expect=200))["new_email"] == new
    notice = [m for m in mailbox.messages if m["to"] == user.email and "changing" in m["subject"]]
    assert notice and new in notice[0]["body"]
    # Until confirmed, the old address is the account's.
    await log_in(api, user)
    assert (await api.get("/api/me", as_=user))["user"]["email"] == user.email

    token = mailbox.last_token(new, "confirm your new")
    assert "/confirm-email?token=" in mailbox.messages[-2]["body"] + mailbox.messages[-1]["body"]
    changed = await api.post("/api/auth/email-change/confirm", {"token": token}, expect=200)
    assert changed["email"] == new and changed["is_verified"] is True
    assert (await api.get("/api/me", as_=user))["user"]["email"] == new
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=401)
    await log_in(api, dataclasses.replace(user, email=new))
    await api.get("/api/me/email-change", as_=user, expect=404)
    # single use
    await api.post("/api/auth/email-change/confirm", {"token": token}, expect=422)
    assert any(m["to"] == user.email and "was changed" in m["subject"] for m in mailbox.messages)


async def test_email_change_refusals_change_nothing(api, mailbox, db):
    user = await api.sign_up()
    taken = await api.sign_up()
    sent = len(mailbox.messages)
    conflict = await api.post(
        "/api/me/email",
        {"new_email": taken.email.upper(), "current_password": PASSWORD},
        as_=user,
        expect=409,
    )
    assert "another account" in conflict["detail"]
    wrong = await api.post(
        "/api/me/email",
        {"new_email": "free@example.com", "current_password": "nope nope"},
        as_=user,
        expect=422,
    )
    assert wrong["errors"][0]["field"] == "current_password"
    same = await api.post(
        "/api/me/email",
        {"new_email": user.email, "current_password": PASSWORD},
        as_=user,
        expect=422,
    )
    assert same["errors"][0]["field"] == "new_email"
    bad = await api.post(
        "/api/me/email",
        {"new_email": "not-an-address", "current_password": PASSWORD},
        as_=user,
        expect=422,
    )
    assert bad["errors"][0]["field"] == "body.new_email"
    assert len(mailbox.messages) == sent
    await api.get("/api/me/email-change", as_=user, expect=404)
    await api.delete("/api/me/email-change", as_=user, expect=404)
    bad_token = await api.post("/api/auth/email-change/confirm", {"token": "x" * 40}, expect=422)
    assert bad_token["errors"][0]["field"] == "token"


async def test_an_address_taken_before_confirmation_is_409_and_the_token_stays(api, mailbox):
    user = await api.sign_up()
    new = f"contested-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": new, "current_password": PASSWORD}, as_=user, expect=202
    )
    token = mailbox.last_token(new, "confirm your new")
    await api.sign_up(email=new)
    await api.post("/api/auth/email-change/confirm", {"token": token}, expect=409)
    assert (await api.get("/api/me", as_=user))["user"]["email"] == user.email
    assert (await api.get("/api/me/email-change", as_=user, expect=200))["new_email"] == new


async def test_a_cancelled_email_change_cannot_be_confirmed(api, mailbox):
    user = await api.sign_up()
    new = f"cancel-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": new, "current_password": PASSWORD}, as_=user, expect=202
    )
    token = mailbox.last_token(new, "confirm your new")
    await api.delete("/api/me/email-change", as_=user, expect=204)
    await api.get("/api/me/email-change", as_=user, expect=404)
    await api.post("/api/auth/email-change/confirm", {"token": token}, expect=422)
    assert (await api.get("/api/me", as_=user))["user"]["email"] == user.email


async def test_a_newer_email_change_retires_the_older_link(api, mailbox):
    user = await api.sign_up()
    first, second = (f"{n}-{uuid.uuid4().hex[:8]}@example.com" for n in ("one", "two"))
    for new in (first, second):
        await api.post(
            "/api/me/email",
            {"new_email": new, "current_password": PASSWORD},
            as_=user,
            expect=202,
        )
    await api.post(
        "/api/auth/email-change/confirm",
        {"token": mailbox.last_token(first, "confirm your new")},
        expect=422,
    )
    assert (await api.get("/api/me/email-change", as_=user))["new_email"] == second


async def test_log_in_is_limited_per_account_with_retry_after(api, db):
    user = await api.sign_up()
    before = len(await session_rows(db, user.id))
    for _ in range(10):
        await api.post(
            "/api/auth/login", {"email": user.email, "password": "wrong guess"}, expect=401
        )
    response = await api.client.post(
        "/api/auth/login", json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status == 429
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= 60
    detail = (await response.json(content_type=None))["detail"]
    assert detail.startswith("too many password attempts for this account; try again in ")
    # Refused before the password was looked at: even the right one starts no session.
    assert len(await session_rows(db, user.id)) == before
    # Another account from the same address is not held up by this one.
    other = await api.sign_up()
    await log_in(api, other)


async def test_log_in_is_limited_per_ip_address(api, db):
    user = await api.sign_up()
    # 30 at once, then one per 10 s refilled meanwhile (argon2 makes each guess take a while)
    for n in range(40):
        response = await api.client.post(
            "/api/auth/login", json={"email": f"nobody{n}@example.com", "password": "wrong"}
        )
        if response.status == 429:
            break
        assert response.status == 401
    assert 30 <= n < 40
    assert int(response.headers["Retry-After"]) >= 1
    assert "from your network" in (await response.json(content_type=None))["detail"]
    refused = await api.client.post(
        "/api/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    assert refused.status == 429
    assert len(await session_rows(db, user.id)) == 1


async def test_current_password_checks_count_against_the_limit(api, db):
    user = await api.sign_up()
    for _ in range(10):
        await api.post(
            "/api/me/password",
            {"current_password": "wrong guess", "new_password": NEW_PASSWORD},
            as_=user,
            expect=422,
        )
    limited = await api.client.post(
        "/api/me/email",
        json={"new_email": "elsewhere@example.com", "current_password": PASSWORD},
        headers=user.headers,
    )
    assert limited.status == 429 and "Retry-After" in limited.headers
    await api.get("/api/me/email-change", as_=user, expect=404)
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=429)


async def test_last_seen_is_written_seldom_and_never_on_the_request(api, db, monkeypatch):
    await listening(api)
    user = await api.sign_up()
    tracker = api.client.app[LAST_SEEN]
    await session_cached(api, user)
    (created,) = await session_rows(db, user.id)
    # Within the interval: nothing to write, and a cached request still touches no pool.
    borrowed = acquisitions(api, monkeypatch)
    await api.get("/api/me", as_=user, expect=200)
    assert borrowed == []
    assert not tracker._pending
    # Past the interval, the request queues a write and answers without it; a batch
    # writes it a moment later.
    monkeypatch.setattr(tracker, "interval_s", 0.0)
    await api.get("/api/me", as_=user, expect=200)
    assert borrowed == []

    async def written() -> bool:
        (row,) = await session_rows(db, user.id)
        return row["last_seen_at"] > created["last_seen_at"]

    await eventually(written, what="last_seen_at written in the background")
    # The write told no cache to forget the session.
    from server import keys

    assert api.client.app[keys.SESSIONS].get(token_hash(user.token)) is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/me/sessions"),
        ("POST", "/api/me/sessions/revoke-others"),
        ("DELETE", "/api/me/sessions/00000000-0000-4000-8000-000000000001"),
        ("POST", "/api/me/password"),
        ("POST", "/api/me/email"),
        ("GET", "/api/me/email-change"),
        ("DELETE", "/api/me/email-change"),
    ],
)
async def test_security_routes_need_a_signed_in_caller(api, method, path):
    await api.call(method, path, json={} if method == "POST" else None, expect=401)


async def test_with_redis_the_attempt_limits_hold_across_instances(
    settings, redis_server_url, redis_prefix
):
    from server.app import create_app
    from server.auth.attempts import PASSWORD_ATTEMPTS, check_password_attempt
    from server.errors import RateLimited
    from server.ratelimit import RedisTokenBucket
    from server.realtime.server import redis_bus

    shared = dataclasses.replace(settings, redis_url=redis_server_url, redis_prefix=redis_prefix)
    one, two = create_app(shared), create_app(shared)
    try:
        assert isinstance(one[PASSWORD_ATTEMPTS].by_account, RedisTokenBucket)
        for n in range(10):
            app = one if n % 2 else two
            await check_password_attempt(app, ip=f"10.0.0.{n}", account="Pat@Example.com")
        with pytest.raises(RateLimited) as refused:
            await check_password_attempt(one, ip="10.0.0.99", account="pat@example.com")
        assert 1 <= refused.value.retry_after <= 60
    finally:
        for app in (one, two):
            await redis_bus(app).close()


async def test_writing_last_seen_tells_no_cache_but_revoking_does(api, database_url):
    """sql/migrations/0030: only a change to what the session cache holds is announced."""
    import asyncpg

    seen, ended = await api.sign_up(), await api.sign_up()
    heard: list[str] = []
    listener = await asyncpg.connect(database_url)
    writer = await asyncpg.connect(database_url)
    try:
        # (the app's own listener pings the channel: not what this counts)
        await listener.add_listener(
            "rizeos_invalidate",
            lambda *args: None if args[3].startswith("ping:") else heard.append(args[3]),
        )
        await writer.execute(
            "UPDATE sessions SET last_seen_at = now(), authenticated_at = now() WHERE user_id = $1",
            seen.id,
        )
        ended_id = await writer.fetchval(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 RETURNING id", ended.id
        )
        # Notifications arrive in commit order: once the second is heard, the first was not sent.
        await eventually(lambda: heard, what="the revocation announced")
        assert heard == [f"session:{ended_id}"]
    finally:
        await listener.close()
        await writer.close()
