"""RizeOS side of bench/fanout.py: a throwaway database, two server instances, real users.

Users, the organization and the conversations are made through the REST API, as a client
would; only email verification is one SQL UPDATE (reading mailed tokens out of the log
would measure nothing). The database is dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Argon2 hashing at signup is CPU-bound: a few requests at a time is as fast as it gets.
SETUP_CONCURRENCY = 8


class SetupError(RuntimeError):
    pass


@dataclass
class BenchUser:
    index: int
    user_id: str
    token: str


def start_process(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_ready(url: str, process: subprocess.Popen, within: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise SetupError(f"{url} exited with {process.returncode}:\n{stderr[-2000:]}")
            try:
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SetupError(f"{url} not ready after {within:.0f} s")


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RizeOS:
    """Two ``python -m server`` instances on a fresh database, sharing one Redis prefix."""

    def __init__(self, ports: list[int], redis_url: str, prefix: str):
        self.ports = ports
        self.redis_url = redis_url
        self.prefix = prefix
        self.database = f"rizeos_bench_{secrets.token_hex(4)}"
        self.dsn = f"postgresql://postgres@127.0.0.1:5432/{self.database}"
        self.processes: list[subprocess.Popen] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    async def start(self) -> None:
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            await admin.close()
        secret = secrets.token_urlsafe(48)
        # One after the other: the first applies the migrations, the second finds them done.
        for port, url in zip(self.ports, self.urls, strict=True):
            env = {
                "DATABASE_URL": self.dsn,
                "SECRET_KEY": secret,
                "REDIS_URL": self.redis_url,
                "REDIS_PREFIX": self.prefix,
                "PORT": str(port),
                "HOST": "127.0.0.1",
                "LOG_LEVEL": "WARNING",
                # The per-user send limit protects production; the benchmark measures the
                # server, so it is lifted far above any rate the load generator offers.
                "SEND_BURST": "1000000",
                "SEND_RATE_PER_SECOND": "1000000",
            }
            process = start_process(["-m", "server", "web"], env)
            self.processes.append(process)
            await wait_ready(f"{url}/readyz", process)

    async def stop(self) -> None:
        stop_processes(self.processes)
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            await admin.close()

    async def make_users(self, count: int) -> tuple[list[BenchUser], str]:
        """``count`` verified users, all active members of one institute; returns them and
        the institute's id (the context every benchmark conversation is started on)."""
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        base = self.urls[0]
        async with aiohttp.ClientSession() as http:

            async def call(method: str, path: str, token: str | None, body: dict) -> dict:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with (
                    gate,
                    http.request(method, base + path, json=body, headers=headers) as response,
                ):
                    data = await response.json()
                    if response.status >= 300:
                        raise SetupError(f"{method} {path} → {response.status}: {data}")
                    return data

            run = secrets.token_hex(3)

            async def sign_up(i: int) -> BenchUser:
                body = {
                    "email": f"bench-{run}-{i}@example.com",
                    "password": "bench-password-" + run,
                    "roles": ["student"],
                    "full_name": f"Bench {i}",
                }
                data = await call("POST", "/api/auth/signup", None, body)
                return BenchUser(i, data["user"]["id"], data["token"])

            users = list(await asyncio.gather(*(sign_up(i) for i in range(count))))
            db = await asyncpg.connect(self.dsn)
            try:
                await db.execute("UPDATE users SET is_verified = TRUE")
            finally:
                await db.close()

            admin = users[0]
            org = await call(
                "POST",
                "/api/organizations",
                admin.token,
                {"name": f"Bench Institute {run}", "type": "institute"},
            )

            async def join(user: BenchUser) -> None:
                invite = await call(
                    "POST",
                    f"/api/organizations/{org['id']}/memberships",
                    admin.token,
                    {"role_in_org": "student", "user_id": user.user_id},
                )
                await call("POST", f"/api/memberships/{invite['id']}/approve", user.token, {})

            await asyncio.gather(*(join(u) for u in users[1:]))
            return users, org["id"]

    async def start_conversations(self, groups: list[list[BenchUser]], org_id: str) -> list[str]:
        async with aiohttp.ClientSession() as http:
            gate = asyncio.Semaphore(SETUP_CONCURRENCY)

            async def start(group: list[BenchUser]) -> str:
                body = {
                    "participant_ids": [u.user_id for u in group[1:]],
                    "context": {"type": "organization", "id": org_id},
                }
                headers = {"Authorization": f"Bearer {group[0].token}"}
                async with (
                    gate,
                    http.post(
                        f"{self.urls[0]}/api/conversations", json=body, headers=headers
                    ) as response,
                ):
                    data = await response.json()
                    if response.status not in (200, 201):
                        raise SetupError(f"POST /api/conversations → {response.status}: {data}")
                    return data["id"]

            return list(await asyncio.gather(*(start(g) for g in groups)))
