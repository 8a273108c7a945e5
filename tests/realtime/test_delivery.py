"""One instance, no Redis: in-process delivery, presence, revocation, and the engine.io
internals the slow-consumer guard relies on."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from server import keys
from server.realtime.manager import SLOW_HARD_LIMIT, RealtimeManager
from server.realtime.packets import encode_event, node_message, parse_node_message
from tests.client import PASSWORD
from tests.realtime.conftest import Inbox
from tests.sockets import connect_socket
from tests.waits import eventually

NS = "/notifications"


@pytest.fixture
async def server_url(client) -> str:
    return str(client.make_url("/")).rstrip("/")


async def test_an_event_is_encoded_like_python_socketio_encodes_it(client):
    sio = client.app[keys.SIO]
    payload = {"id": str(uuid.uuid4()), "text": "héllo", "n": [1, 2.5, None, True]}
    for namespace in ("/", NS):
        stock = sio.packet_class(
            socketio.packet.EVENT, namespace=namespace, data=["message", payload]
        )
        assert encode_event(namespace, "message", payload) == stock.encode()
    header = node_message(NS, True, ["a", "b"], "2/x,[1]\n2")
    assert parse_node_message(header) == (NS, True, ["a", "b"], "2/x,[1]\n2")


async def test_events_reach_every_socket_of_the_user_and_only_theirs(api, client, server_url):
    events = client.app[keys.EVENTS]
    alice, bob = await api.sign_up(), await api.sign_up()
    alice_1 = await connect_socket(server_url, alice.token, [NS])
    alice_2 = await connect_socket(server_url, alice.token, [NS, "/chat"])
    bobs = await connect_socket(server_url, bob.token, [NS])
    inboxes = [Inbox(s, NS, "ping") for s in (alice_1, alice_2, bobs)]
    try:
        await events.to_users([alice.id, alice.id], NS, "ping", {"n": 1})
        await eventually(lambda: all(i.got["ping"] == [{"n": 1}] for i in inboxes[:2]))
        await client.app[keys.SIO].emit("ping", {"n": 2}, to=f"user:{bob.id}", namespace=NS)
        await eventually(lambda: inboxes[2].got["ping"] == [{"n": 2}])
        assert inboxes[0].got["ping"] == [{"n": 1}]
    finally:
        for s in (alice_1, alice_2, bobs):
            await s.disconnect()


async def test_presence_and_its_hook_follow_the_first_and_last_socket(api, client, server_url):
    events = client.app[keys.EVENTS]
    changes: list[tuple[uuid.UUID, bool]] = []

    async def hook(user_id: uuid.UUID, online: bool) -> None:
        changes.append((user_id, online))

    events.on_presence(hook)
    user, other = await api.sign_up(), await api.sign_up()
    assert await events.online([user.id, other.id]) == set()
    first = await connect_socket(server_url, user.token, [NS, "/chat"])
    second = await connect_socket(server_url, user.token, [NS])
    assert await events.online([user.id, other.id]) == {user.id}
    await first.disconnect()
    assert await events.online([user.id]) == {user.id}
    await second.disconnect()
    await eventually(lambda: changes == [(user.id, True), (user.id, False)])
    assert await events.online([user.id]) == set()


async def test_logging_out_disconnects_that_session_only(api, server_url):
    user = await api.sign_up()
    other = await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD})
    doomed = await connect_socket(server_url, user.token, [NS, "/chat"])
    kept = await connect_socket(server_url, other["token"], [NS])
    inbox = Inbox(doomed, NS)
    try:
        await api.post("/api/auth/logout", as_=user, expect=204)
        await asyncio.wait_for(inbox.disconnected.wait(), 10)
        await eventually(lambda: not doomed.connected)
        assert kept.connected
    finally:
        await doomed.disconnect()
        await kept.disconnect()


async def test_a_password_reset_disconnects_every_session(api, server_url):
    user = await api.sign_up()
    other = await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD})
    sockets = [
        await connect_socket(server_url, token, [NS]) for token in (user.token, other["token"])
    ]
    try:
        await api.post("/api/auth/password-reset", {"email": user.email}, expect=202)
        token = api.mailbox.last_token(user.email, "reset")
        await api.post(
            "/api/auth/password-reset/confirm",
            {"token": token, "password": "a brand new passphrase"},
            expect=204,
        )
        await eventually(lambda: not any(s.connected for s in sockets))
    finally:
        for s in sockets:
            await s.disconnect()


async def test_the_engineio_internals_the_slow_consumer_guard_uses_exist(api, client, server_url):
    """Pinned: engine.io's per-socket queue, its closed flag, and the aiohttp request in
    the environ. An upgrade that renames them must fail here, not silently unguard."""
    sio = client.app[keys.SIO]
    assert isinstance(sio.manager, RealtimeManager) and SLOW_HARD_LIMIT > 0
    user = await api.sign_up()
    sock = await connect_socket(server_url, user.token, [NS])
    try:
        eio_sid = next(iter(sio.eio.sockets))
        eio_socket = sio.eio.sockets[eio_sid]
        assert isinstance(eio_socket.queue.qsize(), int)
        assert eio_socket.closed is False
        transport = sio.environ[eio_sid]["aiohttp.request"].transport
        assert callable(transport.abort) and callable(transport.is_closing)
    finally:
        await sock.disconnect()
