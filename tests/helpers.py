"""Drivers for tests: a mailbox that reads the mail the server logs, and a REST client."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import aiohttp
import asyncpg
import socketio

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count(1)
PASSWORD = "correct horse battery"


class Mailbox(logging.Handler):
    """Collects the mail the log backend of server.mail writes."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("mail to="):
            to, subject, body = record.args  # type: ignore[misc]
            self.messages.append({"to": to, "subject": subject, "body": body})

    def last_token(self, to: str, subject_contains: str = "") -> str:
        for message in reversed(self.messages):
            if message["to"] == to and subject_contains.lower() in message["subject"].lower():
                match = re.search(r"token=([A-Za-z0-9_\-]+)", message["body"])
                assert match, message
                return match.group(1)
        raise AssertionError(f"no mail to {to} about {subject_contains!r}: {self.messages}")


@dataclass
class User:
    id: uuid.UUID
    email: str
    token: str
    roles: list[str]
    csrf: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, client, mailbox: Mailbox):
        self.client = client
        self.mailbox = mailbox

    async def call(
        self,
        method: str,
        path: str,
        as_: User | None = None,
        json: Any = None,
        expect: int | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers.update(as_.headers)
        response = await self.client.request(method, path, json=json, headers=headers, **kwargs)
        text = await response.text()
        if expect is not None:
            assert response.status == expect, f"{method} {path}: {response.status} {text}"
        if response.status >= 400:
            assert response.content_type == "application/problem+json", text
        if not text:
            return None
        return await response.json(content_type=None)

    async def get(self, path: str, as_: User | None = None, **kw: Any) -> Any:
        return await self.call("GET", path, as_=as_, **kw)

    async def post(self, path: str, json: Any = None, as_: User | None = None, **kw: Any) -> Any:
        return await self.call("POST", path, as_=as_, json=json, **kw)

    async def patch(self, path: str, json: Any = None, as_: User | None = None, **kw: Any) -> Any:
        return await self.call("PATCH", path, as_=as_, json=json, **kw)

    async def delete(self, path: str, as_: User | None = None, **kw: Any) -> Any:
        return await self.call("DELETE", path, as_=as_, **kw)

    async def sign_up(
        self,
        roles: list[str] | None = None,
        *,
        verified: bool = True,
        email: str | None = None,
        full_name: str | None = None,
    ) -> User:
        email = email or f"user{next(_counter)}-{uuid.uuid4().hex[:6]}@example.com"
        body = {"email": email, "password": PASSWORD, "roles": roles or ["student"]}
        if full_name:
            body["full_name"] = full_name
        data = await self.post("/api/auth/signup", body, expect=201)
        user = User(
            id=uuid.UUID(data["user"]["id"]),
            email=email,
            token=data["token"],
            roles=data["user"]["roles"],
            csrf=data["csrf_token"],
        )
        if verified:
            token = self.mailbox.last_token(email, "confirm")
            await self.post("/api/auth/verify-email", {"token": token}, expect=200)
        return user

    async def admin(self, db) -> User:
        """A platform admin, made the way `python -m server create-admin` makes one."""
        from server.auth.service import AccountService
        from server.mail import Mailer

        email = f"admin{next(_counter)}@example.com"
        from server import keys

        service = AccountService(db, self.client.app[keys.SETTINGS], Mailer(None, ""))
        await service.create_admin(email, PASSWORD)
        data = await self.post(
            "/api/auth/login", {"email": email, "password": PASSWORD}, expect=200
        )
        return User(
            id=uuid.UUID(data["user"]["id"]), email=email, token=data["token"], roles=["admin"]
        )

    async def company(self, owner: User, name: str = "Acme Corp", **fields: Any) -> dict:
        body = {"name": name, "type": "company", **fields}
        return await self.post("/api/organizations", body, as_=owner, expect=201)

    async def institute(self, owner: User, name: str = "State University", **fields: Any) -> dict:
        body = {"name": name, "type": "institute", **fields}
        return await self.post("/api/organizations", body, as_=owner, expect=201)

    async def job(self, poster: User, company_id: str, **fields: Any) -> dict:
        body = {
            "company_id": company_id,
            "title": "Backend Intern",
            "description": "Build APIs in Python with PostgreSQL.",
            "skills_required": ["python", "postgresql"],
            "employment_type": "internship",
            **fields,
        }
        return await self.post("/api/jobs", body, as_=poster, expect=201)

    # -- uploads: the real flow (grant → HTTP PUT to the store → complete) ----------------

    UPLOAD_DEFAULTS = {
        "resume": ("resume.pdf", "application/pdf"),
        "job_attachment": ("benefits.pdf", "application/pdf"),
        "gig_media": ("shot.png", "image/png"),
        "portfolio": ("project.png", "image/png"),
        "org_logo": ("logo.png", "image/png"),
        "message_attachment": ("notes.pdf", "application/pdf"),
    }

    def local_path(self, url: str) -> str:
        """A URL under the app's PUBLIC_URL as a path on the test server (which listens on
        a port of its own), so a plain HTTP client can follow it."""
        from server import keys

        public_url = self.client.app[keys.SETTINGS].public_url
        assert url.startswith(public_url + "/"), url
        return url[len(public_url) :]

    async def grant_upload(
        self,
        owner: User,
        purpose: str,
        size: int,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        expect: int = 201,
        **extra: Any,
    ) -> dict:
        default_name, default_type = self.UPLOAD_DEFAULTS[purpose]
        body = {
            "purpose": purpose,
            "filename": filename or default_name,
            "content_type": content_type or default_type,
            "size": size,
            **extra,
        }
        return await self.post("/api/uploads/generate-url", body, as_=owner, expect=expect)

    async def put_upload(
        self, grant: dict, data: bytes, headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        """PUT the bytes to the grant's URL over real HTTP, as a browser would."""
        request = grant["upload_request"]
        response = await self.client.request(
            request["method"],
            self.local_path(request["url"]),
            data=data,
            headers=request["headers"] if headers is None else headers,
        )
        await response.read()
        return response

    async def upload(
        self,
        owner: User,
        purpose: str,
        data: bytes | None = None,
        *,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> dict:
        """Upload a file through the whole flow; returns the completed upload, whose `url`
        is the reference to attach (resume_url, attachments, media, logo_url, ...)."""
        data = data if data is not None else b"%test file " + uuid.uuid4().bytes
        grant = await self.grant_upload(
            owner, purpose, len(data), filename=filename, content_type=content_type
        )
        response = await self.put_upload(grant, data)
        assert response.status == 200, f"PUT to storage: {response.status}"
        upload_id = grant["upload"]["id"]
        return await self.post(f"/api/uploads/{upload_id}/complete", as_=owner, expect=200)

    async def job_attachments(self, owner: User) -> list[dict]:
        """A PDF and a video uploaded by `owner`, as a job's `attachments`."""
        pdf = await self.upload(owner, "job_attachment", b"%PDF-1.4 benefits")
        video = await self.upload(
            owner, "job_attachment", b"mp4 tour", filename="tour.mp4", content_type="video/mp4"
        )
        return [
            {"title": "Company Benefits", "type": "pdf", "url": pdf["url"]},
            {"title": "Office Tour", "type": "video", "url": video["url"]},
        ]

    async def open_file(self, url: str, as_: User | None = None) -> aiohttp.ClientResponse:
        """GET /api/files/{id} without following the redirect."""
        response = await self.client.get(
            self.local_path(url), headers=as_.headers if as_ else {}, allow_redirects=False
        )
        await response.read()
        return response

    async def download(self, url: str, as_: User | None = None) -> bytes:
        """Open a file reference and follow its redirect to the bytes."""
        response = await self.open_file(url, as_)
        assert response.status == 302, f"GET {url}: {response.status}"
        body = await self.client.get(self.local_path(response.headers["Location"]))
        assert body.status == 200, body.status
        return await body.read()


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


async def wait_for_lock_waiters(conn, count: int, tries: int = 500) -> None:
    """Wait until ``count`` backends of this database are blocked on a lock (a race the
    test has set up is in place); fail if that never happens."""
    waiting = 0
    for _ in range(tries):
        # Statistics views are snapshotted per transaction; look afresh each time.
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting == count:
            return
        await asyncio.sleep(0.01)
    assert waiting == count, f"{waiting} backends waiting on a lock, expected {count}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def connect_socket(
    url: str, token: str | None, namespaces: list[str], **kwargs: Any
) -> socketio.AsyncClient:
    """A real Socket.IO client over a real WebSocket, authenticated like the web app."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        url,
        namespaces=namespaces,
        transports=["websocket"],
        auth={"token": token} if token else None,
        wait_timeout=10,
        **kwargs,
    )
    return client


@asynccontextmanager
async def database_unreachable(database_url: str) -> AsyncIterator[None]:
    """The database at ``database_url`` goes away: every connection to it is cut (the
    backends are terminated, as a restart or a failover would) and new ones are refused,
    until the block ends."""
    parts = urlparse(database_url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(urlunparse(parts._replace(path="/postgres")))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            # The timeout makes each termination complete before the test goes on.
            await admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    finally:
        await admin.close()


async def raw_request(host: str, port: int, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` (a request line and headers, as bytes) over a plain socket, as any
    client could, and read the whole answer: its status, headers and body."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(head + b"Host: rizeos.test\r\nConnection: close\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head_part, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head_part.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), headers, body
