"""Issue 17 review of sessions, password and email changes, and the password-attempt limits:
links left working after the credentials they guard changed, an account key that a
differently-cased spelling of the address escapes, and malformed input on every new route."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from server.auth.attempts import check_password_attempt
from server.auth.tokens import token_hash
from server.config import Settings
from server.errors import RateLimited
from server.ratelimit import RedisTokenBucket
from tests.auth.test_security import documented_limits
from tests.client import PASSWORD
from tests.processes import free_port
from tests.waits import eventually

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return documented_limits(settings)


async def test_a_password_change_retires_reset_links_and_a_pending_email_change(api, mailbox):
    """Someone who knew the old password asked for an email change to their own address (or
    holds a reset link): the owner changing the password must end that, not only the
    sessions."""
    user = await api.sign_up()
    await api.post("/api/auth/password-reset", {"email": user.email}, expect=202)
    reset = mailbox.last_token(user.email, "reset")
    thief = f"thief-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": thief, "current_password": PASSWORD}, as_=user, expect=202
    )
    change = mailbox.last_token(thief, "confirm your new")

    await api.post(
        "/api/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        as_=user,
        expect=200,
    )
    await api.get("/api/me/email-change", as_=user, expect=404)
    await api.post("/api/auth/email-change/confirm", {"token": change}, expect=422)
    await api.post(
        "/api/auth/password-reset/confirm",
        {"token": reset, "password": "the thief's password"},
        expect=422,
    )
    assert (await api.get("/api/me", as_=user))["user"]["email"] == user.email
    await api.post("/api/auth/login", {"email": user.email, "password": NEW_PASSWORD}, expect=200)


async def test_a_password_reset_retires_a_pending_email_change(api, mailbox):
    user = await api.sign_up()
    thief = f"thief-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": thief, "current_password": PASSWORD}, as_=user, expect=202
    )
    change = mailbox.last_token(thief, "confirm your new")
    await api.post("/api/auth/password-reset", {"email": user.email}, expect=202)
    reset = mailbox.last_token(user.email, "reset")
    await api.post(
        "/api/auth/password-reset/confirm", {"token": reset, "password": NEW_PASSWORD}, expect=204
    )
    await api.post("/api/auth/email-change/confirm", {"token": change}, expect=422)
    session = await api.post(
        "/api/auth/login", {"email": user.email, "password": NEW_PASSWORD}, expect=200
    )
    assert session["user"]["email"] == user.email


async def test_a_confirmed_email_change_retires_links_mailed_to_the_old_address(api, mailbox):
    """The old mailbox (perhaps the reason for the move) must not keep a way in."""
    user = await api.sign_up()
    await api.post("/api/auth/password-reset", {"email": user.email}, expect=202)
    reset = mailbox.last_token(user.email, "reset")
    new = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": new, "current_password": PASSWORD}, as_=user, expect=202
    )
    token = mailbox.last_token(new, "confirm your new")
    await api.post("/api/auth/email-change/confirm", {"token": token}, expect=200)
    await api.post(
        "/api/auth/password-reset/confirm",
        {"token": reset, "password": "the old mailbox's password"},
        expect=422,
    )
    await api.post("/api/auth/login", {"email": new, "password": PASSWORD}, expect=200)


async def test_the_account_limit_holds_for_every_spelling_the_database_matches(api):
    """PostgreSQL's lower() maps U+0130 (capital I with dot) to a plain "i", so the log-in
    finds the account; Python's str.lower() gives "i" plus a combining dot, which was
    another bucket: each "i" of an address doubled the guesses allowed."""
    user = await api.sign_up(email=f"liz-{uuid.uuid4().hex[:8]}@example.com")
    variant = user.email.replace("i", "\u0130", 1)
    # The database finds the account by the variant (a right password would sign in).
    await api.post("/api/auth/login", {"email": variant, "password": PASSWORD}, expect=200)
    for _ in range(9):
        await api.post("/api/auth/login", {"email": user.email, "password": "wrong"}, expect=401)
    await api.post("/api/auth/login", {"email": variant, "password": PASSWORD}, expect=429)


async def test_with_redis_away_the_limits_fail_open_and_say_so(caplog):
    """A limiter whose Redis is unreachable lets the check through (and logs it): never a
    500 on log-in because Redis is down."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(
        f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5
    )
    bucket = RedisTokenBucket(client, "t", 10, 1 / 60, "password_account", "refused {retry}")
    try:
        for _ in range(12):
            await bucket.check("pat@example.com")
    finally:
        await client.aclose()
    assert "rate limit unavailable" in caplog.text


async def test_attempts_with_unknown_ip_share_a_bucket(api):
    app = api.client.app
    for n in range(10):
        await check_password_attempt(app, ip=None, account=f"n{n}@example.com")
    with pytest.raises(RateLimited):
        for n in range(30):
            await check_password_attempt(app, ip=None, account=f"m{n}@example.com")


BAD_BODIES = [
    None,
    [],
    "text",
    123,
    {"new_password": 5},
    {"new_password": ["x"]},
    {"new_password": "x" * 100_000},
    {"new_password": "long enough pw", "current_password": {"a": 1}},
    {"new_password": "long enough pw", "current_password": ""},
    {"new_email": None},
    {"new_email": "a@b.c" * 1000},
    {"new_email": "a@b.c\u0000"},
    {"new_email": "a b@c.de"},
    {"token": 12},
    {"token": "\u0000" * 40},
    {"token": "x" * 100_000},
    {"unknown": 1},
]


@pytest.mark.parametrize("path", ["/api/me/password", "/api/me/email"])
@pytest.mark.parametrize("body", BAD_BODIES)
async def test_malformed_bodies_are_4xx_never_500(api, path, body):
    user = await api.sign_up()
    response = await api.client.post(path, json=body, headers=user.headers)
    assert 400 <= response.status < 500, (response.status, await response.text())


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_malformed_confirmations_are_4xx_never_500(api, body):
    response = await api.client.post("/api/auth/email-change/confirm", json=body)
    assert 400 <= response.status < 500, (response.status, await response.text())


@pytest.mark.parametrize(
    "session_id",
    ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "%00", "x" * 5000, "revoke-others"],
)
async def test_malformed_session_ids_are_4xx_never_500(api, session_id):
    user = await api.sign_up()
    response = await api.client.delete(f"/api/me/sessions/{session_id}", headers=user.headers)
    assert 400 <= response.status < 500, (response.status, await response.text())


async def test_a_raw_non_json_body_is_4xx(api):
    user = await api.sign_up()
    for path in ("/api/me/password", "/api/me/email"):
        response = await api.client.post(
            path, data=b"\xff\xfe{not json", headers={**user.headers, "Content-Type": "text/plain"}
        )
        assert 400 <= response.status < 500, (path, response.status)


async def test_revoke_others_counts_only_live_sessions(api, db):
    """An expired session is not signed out by "sign out everywhere else": it was not in the
    list the person saw, so it must not be in the number they are told."""
    user = await api.sign_up()
    other = await api.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=200
    )
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE sessions SET expires_at = now() - interval '1 day' WHERE token_hash = $1",
            token_hash(other["token"]),
        )
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=200)
    listed = await api.get("/api/me/sessions", as_=user)
    assert len(listed["items"]) == 2
    done = await api.post("/api/me/sessions/revoke-others", as_=user, expect=200)
    assert done == {"revoked": 1}


async def test_an_email_change_cannot_be_confirmed_after_the_account_is_deleted(api, mailbox, db):
    user = await api.sign_up()
    new = f"after-{uuid.uuid4().hex[:8]}@example.com"
    await api.post(
        "/api/me/email", {"new_email": new, "current_password": PASSWORD}, as_=user, expect=202
    )
    token = mailbox.last_token(new, "confirm your new")
    await api.call(
        "DELETE",
        "/api/me",
        json={"password": PASSWORD, "confirm": user.email},
        as_=user,
        expect=204,
    )
    await api.post("/api/auth/email-change/confirm", {"token": token}, expect=422)
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT email, is_verified FROM users WHERE id = $1", user.id)
    assert row["email"] == f"deleted+{user.id}@deleted.invalid" and not row["is_verified"]
    await api.sign_up(email=new)  # the address is free


async def test_a_last_seen_batch_being_written_at_shutdown_is_not_lost(api, db, database_url):
    """Shutting down cancels the background batch; if it was mid-UPDATE, the sessions it had
    taken must be written by the final flush, not dropped."""
    import asyncpg

    from server.auth import schemas
    from server.auth.last_seen import LAST_SEEN
    from server.auth.sessions import SessionEntry
    from tests.waits import eventually, wait_for_lock_waiters

    user = await api.sign_up()
    tracker = api.client.app[LAST_SEEN]
    async with db.connection() as conn:
        (session_id, seen) = await conn.fetchrow(
            "SELECT id, last_seen_at FROM sessions WHERE user_id = $1", user.id
        )
    locker = await asyncpg.connect(database_url)
    try:
        lock = locker.transaction()
        await lock.start()
        await locker.execute("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", session_id)
        tracker.interval_s = 0.0
        who = schemas.User(user.id, user.email, ["student"], True, datetime.now(UTC))
        entry = SessionEntry.of(session_id, 2e9, who, 0.0)
        tracker.touch(entry)
        await wait_for_lock_waiters(locker, 1)  # the batch's UPDATE waits on the row
        closing = asyncio.ensure_future(tracker.close())
        await eventually(lambda: tracker._task is None, what="the batch cancelled")
        await lock.commit()
        await asyncio.wait_for(closing, 20)
    finally:
        await locker.close()
    async with db.connection() as conn:
        after = await conn.fetchval("SELECT last_seen_at FROM sessions WHERE id = $1", session_id)
    assert after > seen


async def test_a_session_revoked_while_its_socket_connects_does_not_keep_the_socket(
    api, monkeypatch
):
    """The socket reads its session (live), then joins the session's room: a revocation whose
    disconnect went out in between found the room empty, and the socket lived on."""
    import socketio

    from server import keys
    from server.auth.service import AccountService
    from server.realtime.namespace import AuthenticatedNamespace
    from tests.caching import listening
    from tests.sockets import connect_socket

    await listening(api)
    user = await api.sign_up()
    other = await api.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=200
    )
    app = api.client.app
    save_session = AuthenticatedNamespace.save_session
    revoked: list[uuid.UUID] = []

    async def revoke_then_save(self, sid, data, *args, **kwargs):
        if not revoked:
            revoked.append(data["session_id"])
            accounts = AccountService(app[keys.DB], app[keys.SETTINGS], app[keys.MAILER])
            await accounts.log_out(data["session_id"])
        return await save_session(self, sid, data, *args, **kwargs)

    monkeypatch.setattr(AuthenticatedNamespace, "save_session", revoke_then_save)
    url = str(api.client.make_url(""))
    try:
        socket = await connect_socket(url, other["token"], ["/notifications"])
    except socketio.exceptions.ConnectionError:
        return  # refused: right
    try:
        await eventually(lambda: not socket.connected, what="the revoked session's socket ending")
    finally:
        await socket.disconnect()
    assert revoked


@pytest.mark.parametrize(
    "query", ["token=%00", "token=" + "x" * 5000, "done=x&token=", "token=<b>"]
)
async def test_the_confirm_email_page_takes_any_query(api, query):
    response = await api.client.get(f"/confirm-email?{query}")
    assert response.status == 200
    assert "<b>" not in await response.text()
