"""A RizeOS web process for the data benchmarks (bench/matching.py, bench/scale.py): on a
given database, without Redis or a worker, quiet, and the wait until it answers ready."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def start_server(url: str, port: int, root: Path = ROOT, **env: str) -> subprocess.Popen:
    """``python -m server`` from ``root`` (another checkout, for a before/after)."""
    environ = {
        **os.environ,
        "DATABASE_URL": url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RUN_WORKER": "no",
        "MIGRATE_ON_START": "false",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    environ.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "server"],
        cwd=root,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(http: aiohttp.ClientSession, base: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            async with http.get(base + "/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")
