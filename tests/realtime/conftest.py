"""Drivers for fan-out tests: instances sharing Redis, an emitter, event inboxes, a raw
websocket that stops reading, and a private Redis that a test may stop and restart."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
import socketio

from server.realtime.emitter import RedisEmitter
from tests.processes import ServerProcess, free_port


class Inbox:
    """Every event a socketio client receives, by (namespace, event)."""

    def __init__(self, client: socketio.AsyncClient, namespace: str, *events: str):
        self.got: dict[str, list[Any]] = defaultdict(list)
        self.disconnected = asyncio.Event()
        for event in events:
            client.on(event, self._recorder(event), namespace=namespace)
        client.on("disconnect", self._on_disconnect, namespace=namespace)

    def _recorder(self, event: str) -> Callable[..., Awaitable[None]]:
        async def record(*args: Any) -> None:
            self.got[event].append(args[0] if args else None)

        return record

    async def _on_disconnect(self, *args: Any) -> None:
        self.disconnected.set()


@pytest.fixture
async def two_servers(
    database_url: str, redis_server_url: str, redis_prefix: str
) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    a, b = await asyncio.gather(
        ServerProcess(database_url, redis_server_url, redis_prefix).start(),
        ServerProcess(database_url, redis_server_url, redis_prefix).start(),
    )
    try:
        yield a, b
    finally:
        await asyncio.gather(a.stop(), b.stop())


@pytest.fixture
async def emitter(redis_server_url: str, redis_prefix: str) -> AsyncIterator[RedisEmitter]:
    emitter = RedisEmitter(redis_server_url, redis_prefix)
    yield emitter
    await emitter.close()


@pytest.fixture
async def redis(redis_server_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server_url)
    yield client
    await client.aclose()


async def client_connections(redis: aioredis.Redis, name_prefix: str) -> int:
    """How many connections Redis holds for clients named ``name_prefix...``."""
    return sum(1 for c in await redis.client_list() if c.get("name", "").startswith(name_prefix))


class PrivateRedis:
    """A redis-server of this test's own, so stopping it disturbs nobody else."""

    def __init__(self, tmp: str):
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *(shutil.which("redis-server") or "redis-server", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path) -> Any:
    if not shutil.which("redis-server"):
        pytest.skip("needs a redis-server binary")
    server = PrivateRedis(str(tmp_path))
    server.start()
    yield server
    server.stop()


class StalledWebSocket:
    """A Socket.IO client over a raw WebSocket that joins a namespace and then never reads
    again, with a tiny receive buffer: the slow consumer every server eventually meets."""

    def __init__(self, url: str, token: str, namespace: str):
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.token = token
        self.namespace = namespace
        self.sock = socket.socket()

    def connect(self) -> None:
        s = self.sock
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(10)
        s.connect((self.host, self.port))
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        buf = b""
        while b'"sid"' not in buf:  # engine.io OPEN
            buf += s.recv(4096)
        self._send_text(f"40{self.namespace},{json.dumps({'token': self.token})}")
        while buf.count(b'"sid"') < 2:  # Socket.IO CONNECT for the namespace
            chunk = s.recv(4096)
            assert chunk, "refused"
            buf += chunk

    def _send_text(self, text: str) -> None:
        data = text.encode()
        assert len(data) < 126
        mask = os.urandom(4)
        frame = bytes([0x81, 0x80 | len(data)]) + mask
        self.sock.sendall(frame + bytes(c ^ mask[i % 4] for i, c in enumerate(data)))

    def was_cut_off(self, within: float = 20.0) -> bool:
        """Read everything now: True when the server closed or reset the connection."""
        self.sock.settimeout(within)
        try:
            while self.sock.recv(1 << 20):
                pass
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.sock.close()
