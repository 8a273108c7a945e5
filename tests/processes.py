"""Real server processes for tests that need more than the in-process app (several
instances sharing PostgreSQL and Redis, signals, crashes)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A real ``python -m server`` process on a port of its own (for multi-instance tests)."""

    def __init__(self, database_url: str, redis_url: str | None, redis_prefix: str, **env: str):
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "REDIS_PREFIX": redis_prefix,
            "LOG_LEVEL": "WARNING",
            **env,
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    async def start(self, ready_within: float = 30) -> ServerProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server", cwd=ROOT, env=self.env
        )
        deadline = time.monotonic() + ready_within
        async with aiohttp.ClientSession() as http:
            while True:
                assert self.proc.returncode is None, "server process exited during start-up"
                try:
                    async with http.get(self.url + "/readyz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientConnectionError:
                    pass
                assert time.monotonic() < deadline, "server did not become ready"
                await asyncio.sleep(0.1)

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(sig)
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    async def kill(self) -> None:
        """Terminate abruptly, as a crash would (no graceful shutdown)."""
        await self.stop(signal.SIGKILL)
