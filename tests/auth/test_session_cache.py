"""The per-instance session cache (server/auth/sessions.py): authenticated requests served
without a database round trip, and never a revoked or changed session, on any instance."""

from __future__ import annotations

import asyncpg
import pytest
import socketio

from server import keys
from server.auth.tokens import token_hash
from tests.caching import acquisitions, listening, second_instance, session_cached
from tests.client import Api
from tests.sockets import connect_socket
from tests.waits import eventually


@pytest.fixture
async def other(settings, aiohttp_client, mailbox) -> Api:
    return await second_instance(settings, aiohttp_client, mailbox)


def cached(api: Api, token: str) -> bool:
    return api.client.app[keys.SESSIONS].get(token_hash(token)) is not None


async def test_a_known_session_costs_no_pool_connection_and_me_no_query(api, monkeypatch):
    await listening(api)
    user = await api.sign_up()
    await session_cached(api, user)  # the first request may read the session
    borrowed = acquisitions(api, monkeypatch)
    me = await api.get("/api/me", as_=user, expect=200)
    assert me["user"]["id"] == str(user.id)
    assert borrowed == []


async def test_a_request_borrows_at_most_one_connection(api, monkeypatch):
    await listening(api)
    user = await api.sign_up()
    await session_cached(api, user)
    borrowed = acquisitions(api, monkeypatch)
    await api.get(f"/api/profiles/{user.id}", as_=user, expect=200)
    assert borrowed == ["conn"]


async def test_log_out_on_one_instance_is_refused_on_the_other(api, other, monkeypatch):
    await listening(api)
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)
    borrowed = acquisitions(other, monkeypatch)
    await other.get("/api/me", as_=user, expect=200)
    assert borrowed == []  # the other instance answers from its cache

    await api.post("/api/auth/logout", as_=user, expect=204)
    await api.get("/api/me", as_=user, expect=401)  # this instance: at once, no waiting

    async def refused_on_other() -> bool:
        response = await other.client.get("/api/me", headers=user.headers)
        return response.status == 401

    # The other instance hears of it from PostgreSQL as the log-out commits.
    await eventually(refused_on_other, what="the other instance refusing the revoked token")
    assert not cached(other, user.token)
    await other.get("/api/me", as_=user, expect=401)


async def test_a_password_reset_revokes_cached_sessions_everywhere(api, other, mailbox):
    await listening(api)
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)
    await api.post("/api/auth/password-reset", {"email": user.email}, expect=202)
    token = mailbox.last_token(user.email, "reset")
    await api.post(
        "/api/auth/password-reset/confirm",
        {"token": token, "password": "another-password-123"},
        expect=204,
    )
    await api.get("/api/me", as_=user, expect=401)

    async def refused_on_other() -> bool:
        return (await other.client.get("/api/me", headers=user.headers)).status == 401

    await eventually(refused_on_other, what="the other instance refusing the reset user")


async def test_a_role_change_is_seen_at_once_where_made_and_soon_everywhere(api, other):
    await listening(api)
    await listening(other)
    user = await api.sign_up(["student"])
    await session_cached(api, user)
    await session_cached(other, user)
    await api.post("/api/me/roles", {"role": "employer"}, as_=user, expect=200)
    me = await api.get("/api/me", as_=user, expect=200)
    assert "employer" in me["user"]["roles"]
    await api.company(user)  # needs the employer role: the cached caller was dropped

    async def employer_on_other() -> bool:
        me = await other.get("/api/me", as_=user, expect=200)
        return "employer" in me["user"]["roles"]

    await eventually(employer_on_other, what="the other instance seeing the new role")


async def test_a_session_revoked_by_hand_in_sql_is_refused(api, other, database_url):
    """The trigger, not the service, tells the instances: any writer is covered."""
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE sessions SET revoked_at = now() WHERE user_id = $1", user.id)
    finally:
        await conn.close()

    async def refused() -> bool:
        return (await other.client.get("/api/me", headers=user.headers)).status == 401

    await eventually(refused, what="the instance refusing a session revoked in SQL")


async def test_without_its_invalidation_channel_an_instance_reads_every_session(
    api, other, database_url, monkeypatch
):
    """While an instance cannot hear invalidations its cache answers nothing: a session
    revoked meanwhile is refused on the very next request, and nothing cached before the
    gap is served after it."""
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)

    inv = other.client.app[keys.INVALIDATION]
    # Its LISTEN connection is cut, and reconnecting fails (nothing listens on port 1).
    monkeypatch.setattr(inv, "dsn", "postgresql://postgres@127.0.0.1:1/unreachable")
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
    finally:
        await admin.close()
    await eventually(lambda: not inv.enabled, what="the cache turned off")
    assert not cached(other, user.token)

    borrowed = acquisitions(other, monkeypatch)
    await other.get("/api/me", as_=user, expect=200)
    assert borrowed == ["conn"]  # read from the database, not the cache
    await api.post("/api/auth/logout", as_=user, expect=204)
    await other.get("/api/me", as_=user, expect=401)  # at once: nothing was cached

    monkeypatch.undo()
    await eventually(lambda: inv.enabled, what="LISTEN back")
    await other.get("/api/me", as_=user, expect=401)


async def test_redis_being_down_changes_nothing_for_sessions(
    settings, aiohttp_client, mailbox, monkeypatch
):
    """Invalidation runs through PostgreSQL, not Redis: with Redis unreachable a revoked
    session is still refused by an instance that had it cached."""
    import dataclasses

    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    a = await second_instance(down, aiohttp_client, mailbox)
    b = await second_instance(down, aiohttp_client, mailbox)
    await listening(a)
    await listening(b)
    user = await a.sign_up()
    await session_cached(b, user)
    await a.post("/api/auth/logout", as_=user, expect=204)

    async def refused() -> bool:
        return (await b.client.get("/api/me", headers=user.headers)).status == 401

    await eventually(refused, what="the other instance refusing the revoked token")


async def revoke_without_triggers(database_url: str, user_id) -> None:
    """Revoke a user's sessions as a restore or a bulk load would: with triggers off, so no
    instance is told."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE sessions SET revoked_at = now() WHERE user_id = $1", user_id)
    finally:
        await conn.close()


async def test_truncating_sessions_logs_everyone_out_on_every_instance(api, other, database_url):
    """TRUNCATE fires no row trigger: its statement trigger empties every cache."""
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("TRUNCATE sessions CASCADE")
    finally:
        await conn.close()

    async def refused() -> bool:
        return (await other.client.get("/api/me", headers=user.headers)).status == 401

    await eventually(refused, what="the instance refusing a session truncated away")


async def test_an_operator_notify_all_empties_every_cache(api, other, database_url):
    """A change made with triggers off is not heard; NOTIFY rizeos_invalidate, 'all' (the
    documented remedy) empties the caches, and the next request reads the database."""
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)
    await revoke_without_triggers(database_url, user.id)
    await other.get("/api/me", as_=user, expect=200)  # unheard: still cached, as documented
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("NOTIFY rizeos_invalidate, 'all'")
    finally:
        await conn.close()

    async def refused() -> bool:
        return (await other.client.get("/api/me", headers=user.headers)).status == 401

    await eventually(refused, what="the instance refusing after NOTIFY all")


async def test_a_listener_that_hears_nothing_turns_the_caches_off(api, other, database_url):
    """A LISTEN connection that answers queries but delivers no notification (a pooler in
    transaction mode, a half-dead link) fails the channel's own ping: the caches go off and
    a session revoked elsewhere is refused."""
    await listening(other)
    user = await api.sign_up()
    await session_cached(other, user)
    inv = other.client.app[keys.INVALIDATION]
    # The connection stays up and LISTENing, but this process no longer hears it.
    await inv._conn.remove_listener("rizeos_invalidate", inv._on_notify)
    await api.post("/api/auth/logout", as_=user, expect=204)

    async def refused() -> bool:
        return (await other.client.get("/api/me", headers=user.headers)).status == 401

    await eventually(refused, what="the deaf instance refusing the revoked session")


async def test_a_socket_connect_reads_the_session_from_the_database(api, other, database_url):
    """Sockets authenticate once and live long: their connect never trusts the cache."""
    await listening(other)
    user = await api.sign_up()

    # A loaded box can miss a channel ping, which empties the caches for a moment
    # (server/invalidation.py): read again until the session is held.
    await session_cached(other, user)
    await revoke_without_triggers(database_url, user.id)
    assert cached(other, user.token)
    url = str(other.client.make_url(""))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_socket(url, user.token, ["/notifications"])
