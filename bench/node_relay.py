"""The Node side of bench/fanout.py: socket.io 4 with ``@socket.io/redis-adapter``.

``bench/node/relay.js`` speaks bench/bare_relay.py's protocol (same events, payloads and
acks), so the same load generator drives both. Its packages are pinned in
``bench/node/package.json`` and its lock file; ``ensure_installed`` runs ``npm ci`` the
first time (``npm install`` if the lock file is missing), so a fresh checkout needs only
Node 20 and npm.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
RELAY = NODE_DIR / "relay.js"


class NodeMissing(RuntimeError):
    pass


def ensure_installed() -> None:
    """Install the relay's packages when ``node_modules`` is missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise NodeMissing("node and npm are needed for the Node target (or leave it out: --only)")
    if (NODE_DIR / "node_modules" / "socket.io").is_dir():
        return
    command = "ci" if (NODE_DIR / "package-lock.json").exists() else "install"
    print(f"  installing the Node relay's packages (npm {command}) ...", flush=True)
    subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
        ["npm", command, "--no-audit", "--no-fund", "--loglevel=error"],  # noqa: S607
        cwd=NODE_DIR,
        check=True,
    )


def collect_garbage(pids: list[int]) -> None:
    """Ask the relays for a full collection (see relay.js, SIGUSR2)."""
    for pid in pids:
        os.kill(pid, signal.SIGUSR2)


def start(port: int, redis_url: str, channel: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - node from PATH, our own script
        [  # noqa: S607
            "node",
            "--expose-gc",
            str(RELAY),
            "--port",
            str(port),
            "--redis",
            redis_url,
            "--channel",
            channel,
        ],
        cwd=NODE_DIR,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
