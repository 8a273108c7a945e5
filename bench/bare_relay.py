"""A bare python-socketio relay: the baseline that bench/fanout.py compares RizeOS against.

aiohttp + python-socketio + AsyncRedisManager, nothing else: no database, no sessions, no
validation. A client connects with ``auth: {"user": <id>}`` and joins ``user:<id>``;
``send`` ({to, content, client_msg_id}) emits ``message`` to the recipients' rooms and
acks. Run two of these on two ports with the same Redis channel to get the stock
cross-process fan-out that RizeOS is built on.

    python bench/bare_relay.py --port 9101 --redis redis://127.0.0.1:6379/0 --channel x

Like ``python -m server web`` (server/app.py, ``freeze_startup_heap``), it moves its
start-up heap out of the cyclic garbage collector's sight once started, so both targets
get the same treatment; ``--no-gc-freeze`` runs it without. It also runs on the same event
loop (``EVENT_LOOP``: uvloop unless set to ``asyncio``, as server/loop.py chooses).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import time
from typing import Any

import socketio
from aiohttp import web


def create_app(redis_url: str, channel: str) -> web.Application:
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=socketio.AsyncRedisManager(redis_url, channel=channel),
        # One client's events handled in arrival order, one at a time. RizeOS handles them
        # concurrently (a send waits for its commit) and orders a socket's sends itself;
        # this handler never waits, so a task per event would only cost the relay CPU.
        async_handlers=False,
        logger=False,
        engineio_logger=False,
    )

    @sio.event(namespace="/chat")
    async def connect(sid: str, environ: dict, auth: Any = None) -> None:
        if not isinstance(auth, dict) or not auth.get("user"):
            raise socketio.exceptions.ConnectionRefusedError("auth.user required")
        await sio.enter_room(sid, f"user:{auth['user']}", namespace="/chat")

    @sio.on("send", namespace="/chat")
    async def send(sid: str, data: dict) -> dict:
        # The relay's equivalent of RizeOS's stored message: the same fields a client reads.
        message = {
            "content": data["content"],
            "client_msg_id": data.get("client_msg_id"),
            "sent_at": time.time(),
        }
        rooms = [f"user:{user}" for user in data["to"]]
        await sio.emit("message", message, to=rooms, namespace="/chat")
        return {"ok": True, "message": message}

    app = web.Application()
    sio.attach(app)
    return app


async def freeze_startup_heap(app: web.Application) -> None:
    gc.collect()
    gc.freeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--channel", required=True)
    parser.add_argument("--no-gc-freeze", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = create_app(args.redis, args.channel)
    if not args.no_gc_freeze:
        app.on_startup.append(freeze_startup_heap)
    if os.environ.get("EVENT_LOOP", "uvloop") == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    web.run_app(
        app,
        loop=loop,
        host=args.host,
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
