"""The REST driver tests use: users signed up through the API (confirmed through the mail
the server logs), and calls made as them. The entity builders (tests.builders: companies,
jobs, uploads, ...) are mixed into ``Api``, so a test writes ``api.company(owner)``."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.builders import Builders

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


class Api(Builders):
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

    # -- files: references (``/api/files/{id}`` under PUBLIC_URL) followed over HTTP -------

    def local_path(self, url: str) -> str:
        """A URL of this app as a path on the test server, so a plain HTTP client can follow
        it: a file reference is under PUBLIC_URL (which the test server does not listen on);
        the local store's upload URLs are on the page's origin, its downloads are paths."""
        from server import keys

        if url.startswith("/") and not url.startswith("//"):
            return url  # a redirect on the same host (the local store's downloads)
        for base in (self.client.app[keys.SETTINGS].public_url, str(self.client.make_url(""))):
            base = base.rstrip("/")
            if url.startswith(base + "/"):
                return url[len(base) :]
        raise AssertionError(f"not a URL of this app: {url}")

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
