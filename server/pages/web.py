"""Plumbing for the HTML pages: who is asking, log-in redirects, security headers, errors.

Pages are server-rendered with aiohttp-jinja2 (autoescaped) from the same services the JSON
API uses; small ES modules under ``static/js`` then talk to ``/api`` and Socket.IO. Every
page answers with a Content-Security-Policy that allows scripts only from our own origin
(no inline script, no inline handlers), so an escaped-away payload could not run anyway.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
import msgspec
from aiohttp import web

from server import keys
from server.api import list_fields
from server.auth.caller import Caller
from server.auth.middleware import SESSION_COOKIE, caller_for_token
from server.auth.service import account_label
from server.errors import RETRY_AFTER, AppError, FieldError, Handler, is_outage, log_outage
from server.logs import USER_ID_KEY

routes = web.RouteTableDef()

OUTAGE_PAGE = "RizeOS cannot reach its database right now. Try again in a few seconds."

_HOST = re.compile(r"\A[A-Za-z0-9.\-:\[\]]{1,255}\Z")


def content_security_policy(host: str | None, storage_endpoint: str | None = None) -> str:
    # connect-src names the websocket origin explicitly: older browsers do not count
    # ws(s):// as 'self'. A Host we would not echo safely gets 'self' only. Uploads go
    # straight to B2 when it is configured (its bucket may be a subdomain of the endpoint).
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    storage = ""
    if storage_endpoint:
        parts = urlsplit(storage_endpoint)
        if parts.scheme in ("http", "https") and parts.hostname and _HOST.match(parts.netloc):
            storage = f" {parts.scheme}://{parts.netloc} {parts.scheme}://*.{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data: https: http:; media-src 'self' https: http:; "
        f"connect-src 'self'{sockets}{storage}; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def secure_headers(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    settings = request.app[keys.SETTINGS]
    endpoint = settings.b2_s3_endpoint if settings.storage_backend == "b2" else None
    response.headers["Content-Security-Policy"] = content_security_policy(request.host, endpoint)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in user a page is rendered for."""

    caller: Caller
    email: str
    name: str | None
    avatar_url: str | None = None

    @property
    def id(self) -> uuid.UUID:
        return self.caller.user_id

    @property
    def roles(self) -> tuple[str, ...]:
        return self.caller.roles

    @property
    def is_verified(self) -> bool:
        return self.caller.is_verified

    def has(self, *roles: str) -> bool:
        return any(role in self.caller.roles for role in roles)


async def viewer_of(request: web.Request) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    caller = await caller_for_token(request.app, token, via_cookie=True)
    if caller is None:
        return None
    request[USER_ID_KEY] = caller.user_id  # for the access log
    label = await account_label(request.app[keys.DB], caller.user_id)
    return Viewer(caller=caller, email=label.email, name=label.name, avatar_url=label.avatar_url)


@dataclass(slots=True)
class PageRequest:
    request: web.Request
    viewer: Viewer | None

    @property
    def db(self):
        return self.request.app[keys.DB]

    @property
    def user(self) -> Viewer:
        assert self.viewer is not None
        return self.viewer

    def path_id(self, name: str) -> uuid.UUID:
        try:
            return uuid.UUID(self.request.match_info[name])
        except ValueError:
            raise web.HTTPNotFound() from None

    def query(self, struct: type, drop: tuple[str, ...] = ()) -> tuple[Any, list[FieldError]]:
        """Decode the query string into ``struct``; bad values become messages, not a 500."""
        lists = list_fields(struct)  # list-typed filters may repeat or be comma-separated
        data: dict[str, Any] = {}
        for key in set(self.request.query.keys()):
            if key in drop or key not in {f.encode_name for f in msgspec.structs.fields(struct)}:
                continue
            if key in lists:
                data[key] = [
                    v.strip() for item in self.request.query.getall(key) for v in item.split(",")
                ]
                data[key] = [v for v in data[key] if v]
            else:
                value = self.request.query[key].strip()
                if value:
                    data[key] = value
        try:
            return msgspec.convert(data, struct, strict=False), []
        except msgspec.ValidationError as exc:
            message = str(exc)
            field = message.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in message else ""
            return msgspec.convert({}, struct), [FieldError(field=field, message=message)]


PageHandler = Callable[[PageRequest], Awaitable[dict[str, Any] | web.StreamResponse]]


def login_url(request: web.Request) -> str:
    return "/login?next=" + quote(request.path_qs, safe="")


def page(path: str, template: str, *, login: bool = True) -> Callable[[PageHandler], PageHandler]:
    """Register a GET page: resolve the viewer, send anonymous visitors to log in when the
    page needs a user, render ``template`` with the handler's context, add the headers."""

    def decorate(handler: PageHandler) -> PageHandler:
        async def view(request: web.Request) -> web.StreamResponse:
            viewer = None
            try:
                viewer = await viewer_of(request)
                if login and viewer is None:
                    return secure_headers(request, redirect(login_url(request)))
                result = await handler(PageRequest(request, viewer))
            except AppError as exc:
                return error_page(request, viewer, exc.status, exc.title, exc.detail)
            except web.HTTPNotFound:
                return error_page(request, viewer, 404, "Not found", "There is nothing here.")
            except Exception as exc:
                if not is_outage(exc):
                    raise
                log_outage(f"{request.method} {request.rel_url.raw_path}", exc)
                response = error_page(request, viewer, 503, "Service unavailable", OUTAGE_PAGE)
                response.headers.update(RETRY_AFTER)
                return response
            if isinstance(result, web.StreamResponse):
                return secure_headers(request, result)
            context = {"viewer": viewer, **result}
            response = aiohttp_jinja2.render_template(template, request, context)
            return secure_headers(request, response)

        view.__name__ = handler.__name__
        routes.get(path)(view)
        return handler

    return decorate


def error_page(
    request: web.Request, viewer: Viewer | None, status: int, title: str, detail: str
) -> web.StreamResponse:
    context = {"viewer": viewer, "title": title, "detail": detail, "status": status}
    response = aiohttp_jinja2.render_template("error.html", request, context, status=status)
    return secure_headers(request, response)


# Paths whose 404 is not a page: the API's problem details, files, the socket endpoint.
_OWN_NOT_FOUND = ("/api/", "/static/", "/storage/", "/socket.io/")


@web.middleware
async def not_found_page_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An address no route answers gets the site's own 404 page (header, a way back) instead
    of aiohttp's plain text; the API and static files keep their own 404s."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        if request.method != "GET" or request.path.startswith(_OWN_NOT_FOUND):
            raise
    try:
        viewer = await viewer_of(request)
    except Exception as exc:  # the header is a nicety; the 404 must not depend on the database
        if not is_outage(exc):
            raise
        viewer = None
    return error_page(request, viewer, 404, "Not found", "There is nothing at this address.")


def redirect(location: str) -> web.StreamResponse:
    # A plain response: returning (not raising) an HTTPException is deprecated in aiohttp.
    return web.Response(status=302, headers={"Location": location})


def safe_next(value: str | None, default: str) -> str:
    """Only a path on this site (not ``//evil`` or ``/\\evil``) may be a post-login target."""
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        # Browsers drop tabs/newlines and read "\\" as "/" when parsing a URL, so
        # "/\t/evil" or "/\\evil" would become "//evil": refuse them anywhere.
        and "\\" not in value
        and all(" " < c != "\x7f" for c in value)
    ):
        return value
    return default
