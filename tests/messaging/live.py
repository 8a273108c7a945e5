"""Drivers for live-chat tests: two real server instances, /chat sockets that collect what
they receive, and the people a conversation is about (made through the REST routes)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import socketio

from tests.client import User
from tests.messaging.conftest import Chat
from tests.processes import ServerProcess

EVENTS = ("message", "read", "typing", "conversation", "message_changed")
WAIT = 15  # seconds to wait for an event that must come


class ChatSocket:
    """A /chat client that queues every server -> client event it receives, in order."""

    def __init__(self, sio: socketio.AsyncClient):
        self.sio = sio
        self.received: list[tuple[str, dict]] = []
        self._arrived = asyncio.Condition()
        for event in EVENTS:
            sio.on(event, self._collector(event), namespace="/chat")

    def _collector(self, event: str):
        async def collect(data: dict) -> None:
            async with self._arrived:
                self.received.append((event, data))
                self._arrived.notify_all()

        return collect

    @classmethod
    async def connect(cls, url: str, user: User) -> ChatSocket:
        sio = socketio.AsyncClient(reconnection=False)
        sock = cls(sio)
        await sio.connect(
            url,
            namespaces=["/chat"],
            transports=["websocket"],
            auth={"token": user.token},
            wait_timeout=10,
        )
        return sock

    async def call(self, event: str, data: Any = None) -> dict:
        return await self.sio.call(event, data, namespace="/chat", timeout=WAIT)

    async def send(self, conversation_id: Any, content: str, client_msg_id: str | None = None):
        ack = await self.call(
            "send",
            {
                "conversation_id": str(conversation_id),
                "content": content,
                "client_msg_id": client_msg_id or uuid.uuid4().hex,
            },
        )
        assert ack.get("ok"), ack
        return ack["message"]

    async def wait_for(self, count: int, event: str | None = None) -> list[tuple[str, dict]]:
        """The first ``count`` events (of one type, if given), waiting for them to arrive."""

        def matching() -> list[tuple[str, dict]]:
            return [e for e in self.received if event is None or e[0] == event]

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(matching()) >= count), WAIT)
        return matching()[:count]

    async def wait_until(self, predicate) -> list[tuple[str, dict]]:
        """Everything received up to and including the first event matching ``predicate``."""

        def upto() -> list[tuple[str, dict]] | None:
            for i, item in enumerate(self.received):
                if predicate(*item):
                    return self.received[: i + 1]
            return None

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: upto() is not None), WAIT)
        result = upto()
        assert result is not None
        return result

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


def messages_of(received: list[tuple[str, dict]], conversation_id: Any) -> list[dict]:
    return [
        data
        for event, data in received
        if event == "message" and data["conversation_id"] == str(conversation_id)
    ]


@asynccontextmanager
async def two_instances(
    database_url: str, redis_url: str, redis_prefix: str, **env: str
) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    """Instances A and B: two `python -m server` processes sharing PostgreSQL and Redis."""
    a, b = await asyncio.gather(
        ServerProcess(database_url, redis_url, redis_prefix, **env).start(),
        ServerProcess(database_url, redis_url, redis_prefix, **env).start(),
    )
    try:
        yield a, b
    finally:
        await asyncio.gather(a.stop(), b.stop())


@asynccontextmanager
async def sockets(*pairs: tuple[str, User]) -> AsyncIterator[list[ChatSocket]]:
    opened = [await ChatSocket.connect(url, user) for url, user in pairs]
    try:
        yield opened
    finally:
        for sock in opened:
            await sock.close()


async def rest(url: str, method: str, path: str, user: User, json: Any = None) -> tuple[int, Any]:
    """A REST call to a given instance (the in-process test app has no Redis)."""
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url + path, json=json, headers=user.headers) as response,
    ):
        body = await response.json(content_type=None) if response.content_length != 0 else None
        return response.status, body


@dataclass
class Hiring:
    company: dict
    admin: User
    recruiter: User
    candidate: User
    application_id: uuid.UUID
    conversation: dict  # recruiter and candidate, about the application


async def hiring(api, db) -> tuple[Chat, Hiring]:
    """A company (admin, recruiter), a candidate's application, and the recruiter's
    conversation with the candidate about it."""
    chat = Chat(api, db)
    admin = await api.sign_up(["employer"], full_name="Hana Admin")
    company = await api.company(admin, name="Acme")
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    await chat.add_member(company, admin, recruiter, "recruiter")
    candidate = await api.sign_up(["student"], full_name="Cam Candidate")
    application_id = await chat.application(await chat.job(company, admin), candidate)
    conversation = await chat.start(recruiter, [candidate], "application", application_id)
    return chat, Hiring(company, admin, recruiter, candidate, application_id, conversation)


def by_event(received: list[tuple[str, dict]]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for event, data in received:
        grouped[event].append(data)
    return grouped
