"""The event loop every process runs on: uvloop (libuv) by default, asyncio's own on request.

uvloop's transports write and read in C; under load the web process spends a large share of
its time in socket writes and wake-ups, which is where it differs most from asyncio's
selector loop (docs/benchmarks.md, issue 12). ``EVENT_LOOP=asyncio`` keeps the standard loop,
for comparison or a platform uvloop does not support (Windows).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run(kind: str, coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the chosen loop."""
    with asyncio.Runner(loop_factory=lambda: new_event_loop(kind)) as runner:
        return runner.run(coro)


def default_kind() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"
