"""Socket.IO connections authenticate with the same sessions as REST."""

from __future__ import annotations

import pytest
import socketio

from tests.client import PASSWORD
from tests.sockets import connect_socket

NAMESPACES = ["/chat", "/notifications"]


@pytest.fixture
async def server_url(client) -> str:
    return str(client.make_url("/")).rstrip("/")


async def test_socket_connects_with_a_bearer_session(api, server_url):
    user = await api.sign_up()
    sock = await connect_socket(server_url, user.token, NAMESPACES)
    try:
        assert sock.connected
        assert set(sock.namespaces) == set(NAMESPACES)
    finally:
        await sock.disconnect()


async def test_socket_connects_with_the_session_cookie(api, server_url):
    user = await api.sign_up()
    login = await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD})
    sock = await connect_socket(
        server_url, None, ["/chat"], headers={"Cookie": f"rizeos_session={login['token']}"}
    )
    try:
        assert sock.connected
    finally:
        await sock.disconnect()


async def test_socket_without_or_with_revoked_session_is_refused(api, server_url):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_socket(server_url, None, ["/chat"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_socket(server_url, "not-a-real-token", ["/chat"])
    user = await api.sign_up()
    await api.post("/api/auth/logout", as_=user, expect=204)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_socket(server_url, user.token, ["/chat"])


async def test_the_same_user_connects_to_two_instances_sharing_redis(
    api, database_url, redis_server_url, redis_prefix
):
    """Two real server processes on two ports, one Redis: both accept the same session."""
    from tests.processes import ServerProcess

    a = await ServerProcess(database_url, redis_server_url, redis_prefix).start()
    b = await ServerProcess(database_url, redis_server_url, redis_prefix).start()
    try:
        user = await api.sign_up()
        on_b = await connect_socket(b.url, user.token, ["/chat"])
        on_a = await connect_socket(a.url, user.token, ["/chat"])
        try:
            assert on_a.connected and on_b.connected
        finally:
            await on_a.disconnect()
            await on_b.disconnect()
    finally:
        await a.stop()
        await b.stop()


async def test_each_namespace_connect_looks_the_session_up_twice(api, server_url, monkeypatch):
    """Once to admit the socket, once more after it joined its rooms: a revocation whose
    disconnect went out between the two found the rooms empty (issue 17 review,
    tests/auth/test_security_review.py). Never more."""
    import server.realtime.namespace

    user = await api.sign_up()
    lookups: list[str] = []
    lookup = server.realtime.namespace.caller_for_token

    async def counted(app, token, **kwargs):
        lookups.append(token)
        return await lookup(app, token, **kwargs)

    monkeypatch.setattr(server.realtime.namespace, "caller_for_token", counted)
    sock = await connect_socket(server_url, user.token, NAMESPACES)
    try:
        assert lookups == [user.token] * 2 * len(NAMESPACES)
    finally:
        await sock.disconnect()


async def test_an_unverified_user_gets_notifications_but_not_chat(api, server_url):
    user = await api.sign_up(verified=False)
    refusals: list = []
    sock = socketio.AsyncClient(reconnection=False)
    sock.on("connect_error", refusals.append, namespace="/chat")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await sock.connect(
            server_url,
            namespaces=["/chat"],
            transports=["websocket"],
            auth={"token": user.token},
            wait_timeout=10,
        )
    assert [r["data"] for r in refusals] == [{"code": "forbidden"}]
    inbox = await connect_socket(server_url, user.token, ["/notifications"])
    try:
        assert inbox.connected
    finally:
        await inbox.disconnect()
