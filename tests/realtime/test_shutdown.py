"""SIGTERM on an instance with open sockets (a rolling restart, docs/deploy.md): it closes them
at once, at the engine.io level, and stops, rather than sitting out SHUTDOWN_TIMEOUT while
WebSocket handlers and long polls hold it open. That the browser then reconnects by itself to
the instance that takes its place: tests/pages/test_browser_restart.py."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.processes import ServerProcess
from tests.sockets import connect_socket
from tests.waits import eventually


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_sigterm_closes_open_sockets_and_stops_without_waiting_them_out(
    api, database_url, redis_server_url, redis_prefix, transport
):
    # Long enough that waiting it out would fail the bound below by far.
    server = await ServerProcess(
        database_url, redis_server_url, redis_prefix, SHUTDOWN_TIMEOUT="300"
    ).start()
    user = await api.sign_up()
    client = await connect_socket(server.url, user.token, ["/chat"], transports=(transport,))
    try:
        server.proc.send_signal(signal.SIGTERM)
        await eventually(lambda: not client.connected, 30, "the server closing the socket")
        # A liveness bound, not a speed target: without closing its sockets, SIGTERM waited
        # out SHUTDOWN_TIMEOUT (here 300 s) for the socket's handler or pending poll.
        assert await asyncio.wait_for(server.proc.wait(), 60) == 0
    finally:
        await client.disconnect()
        await server.stop()
