"""Resolve the caller of every API request from a session cookie or a bearer token.

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
from server.auth.last_seen import LAST_SEEN
from server.auth.sessions import SessionEntry, session_entry
from server.auth.tokens import csrf_ok
from server.errors import Unauthorized
from server.logs import USER_ID_KEY

SESSION_COOKIE = "rizeos_session"
CSRF_COOKIE = "rizeos_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The session behind the caller, with its user as the lookup found it (GET /api/me).
SESSION_KEY: web.RequestKey[SessionEntry] = web.RequestKey("session", SessionEntry)


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be `Bearer <token>`")
    return token.strip()


async def session_for_token(
    app: web.Application, token: str, fresh: bool = False
) -> SessionEntry | None:
    """``fresh``: read the database, never this instance's cache (server/auth/sessions.py).
    A session found counts as seen now (server/auth/last_seen.py: no I/O here)."""
    entry = await session_entry(app[keys.DB], None if fresh else app.get(keys.SESSIONS), token)
    if entry is not None and (last_seen := app.get(LAST_SEEN)) is not None:
        last_seen.touch(entry)
    return entry


async def caller_for_token(
    app: web.Application, token: str, via_cookie: bool, fresh: bool = False
) -> Caller | None:
    entry = await session_for_token(app, token, fresh)
    return None if entry is None else entry.caller(via_cookie)


async def authenticate(request: web.Request) -> tuple[Caller | None, bool]:
    """The caller of an API request, and whether a cookie session was refused for want of
    its CSRF token (served as anonymous: a route that needs a caller answers 403).

    Called by ``server.api``'s route decorator first thing, rather than run as a middleware
    around every request: a middleware is a layer of calls on every request, pages and
    static files included, and most of its cost for a request with no credentials at all
    (issue 12). An unknown bearer token is 401 whatever the route."""
    headers = request.headers
    if "Authorization" not in headers and "Cookie" not in headers:
        return None, False
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
    if entry is None:
        return None, False
    caller = entry.caller(via_cookie)
    if via_cookie and request.method not in SAFE_METHODS:
        secret = request.app[keys.SETTINGS].secret_key
        if not csrf_ok(secret, caller.session_id, headers.get(CSRF_HEADER)):
            return None, True
    request[SESSION_KEY] = entry
    request[USER_ID_KEY] = caller.user_id  # for the access log
    return caller, False
