"""Socket.IO namespaces' common ground: who a connecting socket is, and how every client
call is answered.

``AuthenticatedNamespace`` authenticates a socket once at connect (the REST session token,
as ``auth: {token}`` or the session cookie), lets the namespace refuse callers it does
not serve (``admit``) and puts the socket in its user's and session's rooms, which is how
every event reaches it (``manager.py`` routes them). ``acked`` makes a handler always
answer its ack, with its result or an error object whose ``code`` is the same in every
namespace (docs/realtime.md); an event the namespace does not know, or whose payload cannot
be read, is answered ``invalid``.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import socketio
from aiohttp import web
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from server.auth.caller import Caller
from server.auth.middleware import SESSION_COOKIE, caller_for_token
from server.errors import (
    OUTAGE_DETAIL,
    AppError,
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    is_outage,
    log_outage,
)
from server.realtime.contract import session_room, user_room
from server.realtime.server import UNDECODABLE_EVENT

log = logging.getLogger("rizeos.realtime.namespace")


async def authenticate(app: web.Application, environ: dict, auth: Any) -> Caller:
    """The caller behind a connecting socket: ``auth: {token}`` or the session cookie."""
    token = auth.get("token") if isinstance(auth, dict) else None
    via_cookie = False
    if not isinstance(token, str) or not token:
        request: web.Request | None = environ.get("aiohttp.request")
        token = request.cookies.get(SESSION_COOKIE) if request is not None else None
        via_cookie = True
    if not token:
        raise SocketRefused("authentication required", {"code": "unauthorized"})
    # Read from the database, not the session cache: a socket authenticates once and lives
    # for hours, and its session's revocation reaches this instance through Redis (the
    # disconnect) and PostgreSQL (the cache) in no fixed order. After the revoking commit
    # the database refuses at once.
    caller = await caller_for_token(app, token, via_cookie=via_cookie, fresh=True)
    if caller is None:
        raise SocketRefused("session unknown, expired or revoked", {"code": "unauthorized"})
    return caller


# The ``code`` of an error ack, the same in every namespace (docs/realtime.md). Errors not
# listed answer their problem slug in the same spelling (``unauthorized``, ``internal``).
ACK_ERROR_CODES: dict[type[AppError], str] = {
    Invalid: "invalid",
    BadRequest: "invalid",
    NotFound: "not_found",
    Forbidden: "forbidden",
    Conflict: "conflict",
    RateLimited: "rate_limited",
    PayloadTooLarge: "too_large",
    Unavailable: "busy",
}
INTERNAL_ACK_MESSAGE = "something went wrong; try again"

AckHandler = Callable[..., Awaitable[Any]]


def error_ack(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def ack_code(exc: AppError) -> str:
    return ACK_ERROR_CODES.get(type(exc)) or exc.slug.replace("-", "_")


def acked(handler: AckHandler) -> AckHandler:
    """Make a namespace's ``on_<event>(self, sid, data)`` always answer its ack: its result,
    or ``{"error": {"code", "message"}}``. A python-socketio handler that raises sends no
    ack at all, leaving the client to time out."""

    @functools.wraps(handler)
    async def on_event(self: socketio.AsyncNamespace, sid: str, data: Any = None, *_: Any) -> Any:
        try:
            return await handler(self, sid, data)
        except msgspec.ValidationError as exc:
            return error_ack("invalid", str(exc))
        except AppError as exc:
            return error_ack(ack_code(exc), exc.detail)
        except Exception as exc:
            if is_outage(exc):  # the database or Redis unreachable: retryable
                log_outage(f"{self.namespace} {handler.__name__}", exc)
                return error_ack("unavailable", OUTAGE_DETAIL)
            log.exception("%s %s handler failed", self.namespace, handler.__name__)
            return error_ack("internal", INTERNAL_ACK_MESSAGE)

    return on_event


class AuthenticatedNamespace(socketio.AsyncNamespace):
    """A namespace whose sockets belong to a logged-in user and sit in that user's rooms."""

    def __init__(self, namespace: str, app: web.Application):
        super().__init__(namespace)
        self.app = app

    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        caller = await authenticate(self.app, environ, auth)
        self.admit(caller)
        await self.save_session(sid, {"user_id": caller.user_id, "session_id": caller.session_id})
        await self.enter_room(sid, user_room(caller.user_id))
        await self.enter_room(sid, session_room(caller.session_id))
        # A revocation committed after the read above sent its disconnect to rooms this socket
        # was not in yet: read the session again now that it is in them (refused: python-
        # socketio takes the socket out of its rooms).
        await authenticate(self.app, environ, auth)

    async def trigger_event(self, event: Any, *args: Any) -> Any:
        """Dispatch to ``on_<event>``; every call of an unknown event, or of one whose payload
        could not be decoded (``server.Packet``), is answered ``invalid`` rather than left
        without an ack for the client to time out on."""
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        if event == UNDECODABLE_EVENT:
            reason = args[1] if len(args) > 1 and isinstance(args[1], str) else "unreadable"
            return error_ack("invalid", reason)
        if not isinstance(event, str) or not event.isidentifier():
            return error_ack("invalid", "no such event")
        if not callable(getattr(self, "on_" + event, None)):
            return error_ack("invalid", f"no such event on {self.namespace}: {event}")
        return await super().trigger_event(event, *args)

    def admit(self, caller: Caller) -> None:
        """Refuse (``SocketRefused``) a logged-in caller this namespace does not serve;
        called once per connect with the caller its one session lookup found."""

    async def caller_id(self, sid: str) -> uuid.UUID:
        return (await self.get_session(sid))["user_id"]
