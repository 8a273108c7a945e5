"""The leaner engine.io under python-socketio (server/realtime/engine.py) and the msgspec
packet encoding: same protocol, same packets, same lifecycle as the stock libraries."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from server.realtime.engine import LeanSocket, SocketQueue
from server.realtime.packets import encode_event
from server.realtime.server import Packet, SocketServer
from tests.waits import eventually

NS = "/chat"

# Every payload shape an event or ack carries: nested containers, every JSON scalar, text
# outside ASCII and outside the BMP, right-to-left text, escapes, and binary attachments.
PAYLOADS: list[Any] = [
    {"ok": True, "message": {"id": 1, "content": "hello", "seq": 2**53, "f": 1.5}},
    [1, "two", None, False, 3.25, {"k": []}],
    {"content": "héllo wörld ✓ 你好 🙂 مرحبا", "empty": "", "nul": "a\u0000b"},
    {"quotes": 'say "hi"\n\ttab \\ backslash </script>', "ctrl": "\u001f\u007f"},
    "just text 🙂",
    42,
    None,
    {"file": b"\x00\x01binary\xff", "name": "a.bin"},
    [b"first", {"nested": [b"second", "text"]}],
]


def decoded(encoded: str | list) -> tuple[Any, ...]:
    """A packet as the stock library reads it back (stdlib JSON), attachments included."""
    first, attachments = (encoded[0], encoded[1:]) if isinstance(encoded, list) else (encoded, [])
    packet = socketio.packet.Packet(encoded_packet=first)
    for attachment in attachments:
        packet.add_attachment(attachment)  # the last one puts the binary parts back
    return packet.packet_type, packet.namespace, packet.id, packet.data


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
@pytest.mark.parametrize("packet_type", [socketio.packet.EVENT, socketio.packet.ACK])
def test_msgspec_packets_read_back_as_the_stock_packets(payload: Any, packet_type: int) -> None:
    data = ["message", payload] if packet_type == socketio.packet.EVENT else [payload]
    ours = Packet(packet_type, data=data, namespace=NS, id=7).encode()
    stock = socketio.packet.Packet(packet_type, data=data, namespace=NS, id=7).encode()
    assert decoded(ours) == decoded(stock)
    assert type(ours) is type(stock)  # binary payloads stay attachments


def is_json(payload: Any) -> bool:
    try:
        json.dumps(payload)
    except TypeError:  # bytes: events emitted to users carry no binary attachments
        return False
    return True


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if is_json(p)])
def test_encode_event_reads_back_as_the_stock_event(payload: Any) -> None:
    stock = socketio.packet.Packet(socketio.packet.EVENT, data=["message", payload], namespace=NS)
    assert decoded(encode_event(NS, "message", payload)) == decoded(stock.encode())


async def test_socket_queue_is_fifo_and_wakes_its_getter() -> None:
    queue = SocketQueue()
    getter = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not getter.done()
    queue.put_nowait("a")
    await queue.put("b")
    assert await getter == "a"
    assert queue.qsize() == 1 and queue.get_nowait() == "b"
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()
    assert queue.empty()


async def test_socket_queue_take_all_and_join() -> None:
    queue = SocketQueue()
    for item in range(3):
        queue.put_nowait(item)
    joined = asyncio.ensure_future(queue.join())
    assert queue.take_all() == [0, 1, 2] and queue.empty()
    await asyncio.sleep(0)
    assert not joined.done()
    queue.task_done(3)
    await asyncio.wait_for(joined, 1)


async def test_a_cancelled_getter_passes_its_wake_up_on() -> None:
    queue = SocketQueue()
    first = asyncio.ensure_future(queue.get())
    second = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("x")  # wakes the first getter ...
    first.cancel()  # ... which is cancelled before it runs
    assert await asyncio.wait_for(second, 1) == "x"


@pytest.fixture
async def lean_server() -> AsyncIterator[tuple[SocketServer, str, list[str]]]:
    # engine.io announces whole seconds of ping interval: one second is the shortest.
    sio = SocketServer(async_mode="aiohttp", ping_interval=1, ping_timeout=1)
    disconnects: list[str] = []

    @sio.event(namespace=NS)
    async def connect(sid: str, environ: dict, auth: Any = None) -> None:
        assert "aiohttp.request" in environ

    @sio.event(namespace=NS)
    async def disconnect(sid: str, reason: Any = None) -> None:
        disconnects.append(sid)

    @sio.on("echo", namespace=NS)
    async def echo(sid: str, data: Any) -> Any:
        await sio.emit("echoed", data, to=sid, namespace=NS)
        return {"ok": True, "data": data}

    app = web.Application()
    sio.attach(app)
    server = TestServer(app)
    await server.start_server()
    try:
        yield sio, str(server.make_url("/")), disconnects
    finally:
        await server.close()


@pytest.mark.parametrize("transports", [["websocket"], ["polling", "websocket"]])
async def test_events_acks_and_disconnects_over_both_transports(lean_server, transports) -> None:
    sio, url, disconnects = lean_server
    client = socketio.AsyncClient(reconnection=False)
    received: list[Any] = []
    client.on("echoed", received.append, namespace=NS)
    await client.connect(url, namespaces=[NS], transports=transports, wait_timeout=5)
    await eventually(lambda: client.transport() == "websocket")
    assert all(isinstance(s, LeanSocket) for s in sio.eio.sockets.values())
    payload = {"text": "🙂 ok", "bin": b"\x00\xff"}
    assert await client.call("echo", payload, namespace=NS, timeout=5) == {
        "ok": True,
        "data": payload,
    }
    await eventually(lambda: received == [payload])
    await asyncio.sleep(3.5)  # three ping rounds: an answering client stays connected
    assert client.connected and not disconnects
    await client.disconnect()
    await eventually(lambda: len(disconnects) == 1)
    await eventually(lambda: not sio.eio.sockets)


@contextlib.asynccontextmanager
async def raw_socket(
    sio: SocketServer, url: str, autoping: bool = True
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A bare websocket client, connected to NS, that answers nothing unless told to."""
    connected = asyncio.Event()
    sio.on("connect", lambda *_: connected.set(), namespace=NS)
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url + "socket.io/?EIO=4&transport=websocket", autoping=autoping) as ws,
    ):
        assert (await ws.receive_str()).startswith("0")
        await ws.send_str(f"40{NS},")
        await asyncio.wait_for(connected.wait(), 5)
        yield ws


async def test_a_websocket_that_ignores_pings_is_dropped(lean_server) -> None:
    sio, url, disconnects = lean_server
    async with raw_socket(sio, url) as ws:
        # Read, never answer: the server pings after 1 s and gives up 1 s later.
        pings = 0
        while True:
            message = await asyncio.wait_for(ws.receive(), 5)
            if message.type is not WSMsgType.TEXT:
                break
            pings += message.data == "2"
        assert pings == 1
    await eventually(lambda: len(disconnects) == 1, within=5)
    assert not sio.eio.sockets


def lean_writers() -> list[asyncio.Task]:
    return [
        task
        for task in asyncio.all_tasks()
        if "_write_packets" in getattr(task.get_coro(), "__qualname__", "")
    ]


async def closed_by_server(ws: aiohttp.ClientWebSocketResponse) -> None:
    """What is left to read ends in the server's close (or the connection cut)."""
    ended = (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING, WSMsgType.ERROR)
    while (await asyncio.wait_for(ws.receive(), 15)).type not in ended:
        pass


async def test_a_socket_the_server_closes_ends_its_connection_even_if_the_client_is_silent(
    lean_server,
) -> None:
    """A revoked session's phone that has gone quiet: the server's disconnect must end the
    websocket (its tasks, its file descriptor), not wait for the client to speak."""
    sio, url, disconnects = lean_server
    async with raw_socket(sio, url, autoping=False) as ws:
        assert lean_writers()
        await sio.eio.disconnect(next(iter(sio.eio.sockets)))  # the client never reads again
        await eventually(lambda: not lean_writers(), what="the socket's writer ended", within=15)
        await closed_by_server(ws)
    assert disconnects and not sio.eio.sockets


async def test_a_ping_timeout_found_by_a_send_ends_the_connection(lean_server) -> None:
    sio, url, disconnects = lean_server
    async with raw_socket(sio, url, autoping=False) as ws:
        while (await asyncio.wait_for(ws.receive_str(), 5)) != "2":
            pass  # the server's ping: never answered
        sid = next(iter(sio.eio.sockets))
        socket = sio.eio.sockets[sid]
        socket.last_ping -= 2 * sio.eio.ping_timeout  # overdue, before the timer notices
        await sio.eio.send(sid, '42/chat,["x"]')  # the send finds the timeout
        await eventually(lambda: not lean_writers(), what="the socket's writer ended", within=15)
        await closed_by_server(ws)
    assert disconnects and not sio.eio.sockets


async def test_a_server_disconnect_returns_when_the_sockets_writer_has_already_ended(
    lean_server,
) -> None:
    """The writer has stopped (the connection failing, closing) before the reader noticed:
    a disconnect then (a deleted account, a revoked session: after commit, in the request)
    must not wait for ever on a queue nothing takes from any more (issue 17)."""
    sio, url, disconnects = lean_server
    async with raw_socket(sio, url, autoping=False):
        sid = next(iter(sio.eio.sockets))
        for writer in lean_writers():
            writer.cancel()
        await eventually(lambda: all(w.cancelling() for w in lean_writers()))
        await asyncio.wait_for(sio.eio.disconnect(sid), 3)
    assert disconnects
