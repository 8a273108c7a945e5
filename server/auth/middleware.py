"""Resolve the caller of every request from a session cookie or a bearer token.

Browsers send the ``rizeos_session`` cookie (HttpOnly, SameSite=Lax); REST clients send
``Authorization: Bearer <token>``. A cookie-authenticated request that changes state must
also carry ``X-CSRF-Token`` (the value returned at log-in and by ``GET /api/me``, also in
the readable ``rizeos_csrf`` cookie): another site can make the browser send the cookie,
but it cannot read the token. Bearer requests need no CSRF token, since browsers never
attach them on their own.
"""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.auth.caller import Caller
from server.auth.sessions import SessionEntry, session_entry
from server.auth.tokens import csrf_ok
from server.errors import Unauthorized

SESSION_COOKIE = "rizeos_session"
CSRF_COOKIE = "rizeos_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Where the middleware leaves its answer for the route decorator (server/api.py).
CALLER_KEY: web.RequestKey[Caller | None] = web.RequestKey("caller", Caller | None)
# Set when a cookie session tried to change state without its CSRF token: the request is
# served as anonymous, and a route that needs a caller refuses it with 403.
CSRF_REJECTED: web.RequestKey[bool] = web.RequestKey("csrf_rejected", bool)
# The session behind the caller, with its user as the lookup found it (GET /api/me).
SESSION_KEY: web.RequestKey[SessionEntry | None] = web.RequestKey("session", SessionEntry | None)


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be `Bearer <token>`")
    return token.strip()


async def session_for_token(app: web.Application, token: str) -> SessionEntry | None:
    return await session_entry(app[keys.DB], app.get(keys.SESSIONS), token)


async def caller_for_token(app: web.Application, token: str, via_cookie: bool) -> Caller | None:
    entry = await session_for_token(app, token)
    return None if entry is None else entry.caller(via_cookie)


@web.middleware
async def auth_middleware(request: web.Request, handler):
    if not request.path.startswith("/api"):
        return await handler(request)
    token = bearer_token(request)
    entry: SessionEntry | None = None
    via_cookie = False
    if token is not None:
        entry = await session_for_token(request.app, token)
        if entry is None:
            raise Unauthorized("the bearer token is unknown, expired or revoked; log in again")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        entry = await session_for_token(request.app, cookie)
        via_cookie = True
    caller = None if entry is None else entry.caller(via_cookie)
    if caller is not None and via_cookie and request.method not in SAFE_METHODS:
        secret = request.app[keys.SETTINGS].secret_key
        if not csrf_ok(secret, caller.session_id, request.headers.get(CSRF_HEADER)):
            request[CSRF_REJECTED] = True
            caller = entry = None
    request[CALLER_KEY] = caller
    request[SESSION_KEY] = entry
    return await handler(request)
