"""The /chat Socket.IO namespace: live conversations for connected users.

Handlers are thin: decode the payload into a msgspec Struct, call the same
``MessageService`` function as the REST route, and return the ack. Every call is
acknowledged, with ``{"ok": true, ...}`` or ``{"error": {"code", "message"}}``: an
exception in a python-socketio handler would send no ack at all, leaving the client to
time out, so every handler is wrapped in ``server.realtime.namespace.acked``, which turns every
failure into an error ack (codes: docs/realtime.md). Protocol: docs/messaging.md.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from aiohttp import web
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from server import keys
from server.auth.caller import Caller
from server.errors import PayloadTooLarge
from server.messaging import schemas
from server.messaging.changes import ChangeService
from server.messaging.events import CHAT_NAMESPACE
from server.messaging.messages import MessageService
from server.messaging.ratelimit import SEND_LIMITER, install_send_limiter
from server.messaging.sender import SEND_WRITER, install_send_writer
from server.realtime.namespace import AuthenticatedNamespace, acked

NAMESPACE = CHAT_NAMESPACE
# Typing events from one socket about one conversation are coalesced to one per interval:
# they are best-effort hints, the cheapest load to shed.
TYPING_INTERVAL_S = 1.0

Handler = Callable[[Any, uuid.UUID, str, Any], Awaitable[dict[str, Any]]]


def _content_size(data: Any) -> None:
    """Oversize content is its own error (``too_large``), so a client knows to split it
    rather than look for a malformed field."""
    content = data.get("content") if isinstance(data, dict) else None
    if isinstance(content, str) and len(content) > schemas.MAX_CONTENT_CHARS:
        raise PayloadTooLarge(
            f"content is {len(content)} characters; at most {schemas.MAX_CONTENT_CHARS}"
        )


def _acked(
    payload_type: type[msgspec.Struct], precheck: Callable[[Any], None] | None = None
) -> Callable[[Handler], Any]:
    """Decode the payload and run the handler as the socket's user; ``acked`` turns any
    failure into an error ack."""

    def decorate(handler: Handler) -> Any:
        @acked
        @functools.wraps(handler)
        async def on_event(self: ChatNamespace, sid: str, data: Any = None) -> dict[str, Any]:
            user_id = await self.caller_id(sid)
            if precheck is not None:
                precheck(data)
            payload = msgspec.convert(data, payload_type)
            return {"ok": True, **await handler(self, user_id, sid, payload)}

        return on_event

    return decorate


class ChatNamespace(AuthenticatedNamespace):
    def __init__(self, app: web.Application):
        super().__init__(NAMESPACE, app)
        # The REST routes share this limiter, so a user's sends count once however sent.
        install_send_limiter(app)
        install_send_writer(app)
        self._send_locks: dict[str, asyncio.Lock] = {}
        self._change_locks: dict[str, asyncio.Lock] = {}

    def service(self) -> MessageService:
        return MessageService(self.app[keys.DB], self.app[SEND_LIMITER], self.app[SEND_WRITER])

    def changes(self) -> ChangeService:
        return ChangeService(
            self.app[keys.DB],
            self.app[SEND_LIMITER],
            self.app[keys.SETTINGS].message_edit_window_seconds,
        )

    def admit(self, caller: Caller) -> None:
        # Messaging over REST needs a verified account; so does chatting live.
        if not caller.is_verified:
            raise SocketRefused("verify your email address first", {"code": "forbidden"})

    @_acked(schemas.ChatSend, precheck=_content_size)
    async def on_send(self, user_id: uuid.UUID, sid: str, body: schemas.ChatSend) -> dict:
        # Handlers run concurrently (a socket's next send is read while its previous one
        # is being stored), so a socket's sends are queued for storing one at a time, in
        # the order they arrived: the lock is FIFO and taken before anything can suspend.
        # Only the queueing is serialized, not the wait for the commit.
        lock = self._send_locks.get(sid)
        if lock is None:
            lock = self._send_locks[sid] = asyncio.Lock()
        async with lock:
            pending = await self.service().queue_send(
                user_id, body.conversation_id, body.message(), sid
            )
        # The ack carries the stored message, so this socket is left out of the event.
        sent = await pending
        return {"message": sent.message, "created": sent.created}

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        self._send_locks.pop(sid, None)
        self._change_locks.pop(sid, None)

    @_acked(schemas.ChatTyping)
    async def on_typing(self, user_id: uuid.UUID, sid: str, body: schemas.ChatTyping) -> dict:
        session = await self.get_session(sid)
        last_typing: dict[uuid.UUID, float] = session.setdefault("typing", {})
        now = time.monotonic()
        if now - last_typing.get(body.conversation_id, -TYPING_INTERVAL_S) < TYPING_INTERVAL_S:
            return {"sent": False}
        await self.service().typing(user_id, body.conversation_id)
        last_typing[body.conversation_id] = now
        await self.save_session(sid, session)
        return {"sent": True}

    @_acked(schemas.ChatRead)
    async def on_read(self, user_id: uuid.UUID, sid: str, body: schemas.ChatRead) -> dict:
        state = await self.service().mark_read(
            user_id, body.conversation_id, schemas.ReadUpTo(seq=body.seq)
        )
        return {"read": msgspec.to_builtins(state)}

    @_acked(schemas.ChatHistory)
    async def on_history(self, user_id: uuid.UUID, sid: str, body: schemas.ChatHistory) -> dict:
        page = await self.service().history(user_id, body.conversation_id, body.query())
        return msgspec.to_builtins(page)

    @_acked(schemas.ChatSync)
    async def on_sync(self, user_id: uuid.UUID, sid: str, body: schemas.ChatSync) -> dict:
        return msgspec.to_builtins(await self.service().sync(user_id, body))

    # Changes to stored messages (changes.py). The ack carries the message in its latest
    # state, so this socket is left out of the ``message_changed`` event.
    #
    # One socket's changes are made one at a time, in the order they arrived (the FIFO lock
    # is taken before anything can suspend, as for sends, but held until the change has
    # committed): handled concurrently, a quick "react" then "unreact" could commit in the
    # other order and leave the reaction on, or an edit land after the delete it preceded.

    def _change_lock(self, sid: str) -> asyncio.Lock:
        lock = self._change_locks.get(sid)
        if lock is None:
            lock = self._change_locks[sid] = asyncio.Lock()
        return lock

    @_acked(schemas.ChatEdit, precheck=_content_size)
    async def on_edit(self, user_id: uuid.UUID, sid: str, body: schemas.ChatEdit) -> dict:
        async with self._change_lock(sid):
            message = await self.changes().edit(
                user_id, body.conversation_id, body.message_id, body.edit(), sid
            )
        return {"message": message}

    @_acked(schemas.ChatDelete)
    async def on_delete(self, user_id: uuid.UUID, sid: str, body: schemas.ChatDelete) -> dict:
        async with self._change_lock(sid):
            message = await self.changes().delete(
                user_id, body.conversation_id, body.message_id, sid
            )
        return {"message": message}

    @_acked(schemas.ChatReact)
    async def on_react(self, user_id: uuid.UUID, sid: str, body: schemas.ChatReact) -> dict:
        async with self._change_lock(sid):
            message = await self.changes().react(
                user_id, body.conversation_id, body.message_id, body.emoji, body.on, sid
            )
        return {"message": message}
