"""Real server processes for tests that need more than the in-process app (several
instances sharing PostgreSQL and Redis, signals, crashes)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.waits import eventually

ROOT = Path(__file__).resolve().parent.parent


# Ports for servers a test starts: below the kernel's ephemeral range (so no outgoing
# connection takes one between free_port() and the server's bind), each xdist worker in a
# slice of its own (so two workers never pick the same one while a server is starting).
PORTS = range(20000, 32768)


def _below_ephemeral_range() -> bool:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
    except OSError:
        return False
    return int(text.split()[0]) >= PORTS.stop


def _worker_ports() -> list[int]:
    """This worker's slice, from a random start: taken in turn, a port comes back only after
    all the others (a server that had it has long let go of it by then)."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    size = len(PORTS) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    ports = PORTS[worker * size : (worker + 1) * size]
    first = random.randrange(len(ports))
    return [*ports[first:], *ports[:first]]


_ports = itertools.cycle(_worker_ports()) if _below_ephemeral_range() else None


def free_port() -> int:
    """A port nothing listens on, for a server a test starts."""
    if _ports is None:  # an unusual ephemeral range (or not Linux): let the kernel pick
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    for port in itertools.islice(_ports, len(PORTS)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use
                continue
            return port
    raise OSError(f"no free port in {PORTS}")


async def end_process(
    proc: asyncio.subprocess.Process | None,
    log_reader: asyncio.Task | None,
    sig: int = signal.SIGTERM,
    grace: float = 10,
) -> None:
    """Stop a process the tests started (``sig``, then SIGKILL after ``grace`` seconds) and
    let the task reading its output finish."""
    if proc is not None and proc.returncode is None:
        proc.send_signal(sig)
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    if log_reader is not None:
        # The process is gone, so its end of the pipe is closed: the reader ends soon.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(log_reader, 5)


class ServerProcess:
    """A real ``python -m server`` process on a port of its own (for multi-instance tests).

    Its log (stderr) is kept in ``log`` and still shown with the test's output, so a test
    can wait for something only the process knows to have happened (``logged``)."""

    def __init__(
        self,
        database_url: str,
        redis_url: str | None,
        redis_prefix: str,
        command: str = "web",
        **env: str,
    ):
        # "worker": a job host (no /readyz, so ``spawn`` it; with WORKER_METRICS_PORT it
        # serves /metrics and /healthz there)
        self.command = command
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
        self.log: list[str] = []
        self._log_reader: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    async def spawn(self) -> ServerProcess:
        """Start the process without waiting for it (a worker has no /readyz)."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            self.command,
            cwd=ROOT,
            env=self.env,
            stderr=asyncio.subprocess.PIPE,
        )
        self._log_reader = asyncio.create_task(self._keep_log(self.proc.stderr))
        return self

    async def start(self, ready_within: float = 30) -> ServerProcess:
        await self.spawn()
        async with aiohttp.ClientSession() as http:

            async def ready() -> bool:
                assert self.proc.returncode is None, "server process exited during start-up"
                try:
                    async with http.get(self.url + "/readyz") as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            await eventually(ready, ready_within, "the server became ready", every=0.1)
        return self

    async def _keep_log(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            text = line.decode(errors="replace")
            self.log.append(text)
            sys.stderr.write(text)

    async def logged(self, pattern: str, within: float = 20.0) -> str:
        """The first line of the process's log that matches ``pattern`` (a regex), waiting
        for it to be written."""

        def found() -> str | None:
            return next((line for line in self.log if re.search(pattern, line)), None)

        return await eventually(found, within, f"the server logged {pattern!r}")

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        await end_process(self.proc, self._log_reader, sig, grace=20)
        self._log_reader = None

    async def kill(self) -> None:
        """Terminate abruptly, as a crash would (no graceful shutdown)."""
        await self.stop(signal.SIGKILL)
