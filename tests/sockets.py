"""Socket.IO clients for tests: real ones, over a real WebSocket."""

from __future__ import annotations

from typing import Any

import socketio


async def connect_socket(
    url: str,
    token: str | None,
    namespaces: list[str],
    transports: tuple[str, ...] = ("websocket",),
    **kwargs: Any,
) -> socketio.AsyncClient:
    """A real Socket.IO client over a real WebSocket (or the ``transports`` given),
    authenticated like the web app."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        url,
        namespaces=namespaces,
        transports=list(transports),
        auth={"token": token} if token else None,
        wait_timeout=10,
        **kwargs,
    )
    return client
