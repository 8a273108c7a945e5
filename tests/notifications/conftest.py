"""Helpers for notification tests: an inbox of live /notifications events, and a hiring setup.

Memberships that are not under test are written with SQL (tests.jobs.conftest.add_member);
applications and status changes go through the real REST routes, which is what emits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio

from tests.applications.conftest import Hiring, give_profile
from tests.client import User
from tests.jobs.conftest import add_member
from tests.sockets import connect_socket

NS = "/notifications"
# How long to wait for an event that is expected to arrive (never a timing assertion).
WAIT = 10


class Inbox:
    """Every event a socket receives on /notifications, in arrival order."""

    def __init__(self, sock: socketio.AsyncClient):
        self.sock = sock
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        sock.on("*", self._received, namespace=NS)

    async def _received(self, event: str, data: Any) -> None:
        await self._queue.put((event, data))

    async def next(self) -> tuple[str, Any]:
        return await asyncio.wait_for(self._queue.get(), WAIT)

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sock.call(event, data, namespace=NS, timeout=WAIT)

    async def close(self) -> None:
        await self.sock.disconnect()


@pytest.fixture
async def server_url(client) -> str:
    return str(client.make_url("/")).rstrip("/")


@pytest.fixture
async def inbox_for(server_url) -> AsyncIterator:
    """``await inbox_for(user)``: a connected socket for ``user`` (closed after the test)."""
    opened: list[Inbox] = []

    async def open_inbox(user: User, url: str | None = None) -> Inbox:
        inbox = Inbox(await connect_socket(url or server_url, user.token, [NS]))
        opened.append(inbox)
        return inbox

    yield open_inbox
    for inbox in opened:
        await inbox.close()


@pytest.fixture
async def hiring(api) -> Hiring:
    admin = await api.sign_up(["employer"])
    company = await api.company(admin, name="Acme Corp")
    job = await api.job(admin, company["id"], title="Backend Intern")
    return Hiring(admin=admin, company=company, job=job)


@pytest.fixture
async def recruiter(api, db, hiring) -> User:
    user = await api.sign_up(["professional"])
    await add_member(db, user, hiring.company["id"], "recruiter")
    return user


@pytest.fixture
async def student(api, db) -> User:
    user = await api.sign_up(["student"])
    await give_profile(db, user)
    return user


async def apply(api, hiring: Hiring, student: User) -> dict:
    return await api.post(f"/api/jobs/{hiring.job['id']}/applications", {}, as_=student, expect=201)


async def stored(api, user: User, **params: Any) -> list[dict]:
    """The user's notifications through REST, newest first (first page)."""
    page = await api.get("/api/notifications", as_=user, params=params, expect=200)
    return page["items"]


def is_notification(data: dict, type_: str) -> None:
    """The live data and the REST item share this shape: the stored notification."""
    assert set(data) == {"id", "type", "payload", "created_at", "read_at"}
    assert isinstance(data["id"], int)
    assert data["type"] == type_
    assert data["read_at"] is None


def uid(value: Any) -> str:
    return str(uuid.UUID(str(value)))


async def notify_directly(app, users: list[User], count: int = 1) -> list[int]:
    """Store ``count`` notifications for each user through the service, in one transaction."""
    from server import keys
    from server.notifications.service import NotificationService

    service = NotificationService(app[keys.DB])
    ids = []
    async with service.db.transaction() as tx:
        for n in range(count):
            made = await service.notify(tx, [u.id for u in users], "test.note", {"n": n})
            ids.extend(m.id for m in made)
    return ids
