"""One error hierarchy, mapped to HTTP in one middleware.

Services raise ``AppError`` subclasses; the middleware turns them into RFC 9457
problem details (``application/problem+json``) for ``/api`` and a plain page
elsewhere. Every problem ``type`` is one of ``PROBLEM_TYPES``, which /docs/problems
explains. An outage (``is_outage``: PostgreSQL or Redis unreachable) is a 503 with
``Retry-After``, logged as one line. Anything else unexpected is logged with its
traceback and answered with a bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import msgspec
import redis.exceptions
from aiohttp import web

log = logging.getLogger("rizeos.errors")

PROBLEM_BASE = "/docs/problems#"
# What a 503 asks the client to wait before trying again: long enough for PostgreSQL or
# Redis to restart or a queue to drain, short enough that nobody gives up.
RETRY_AFTER_S = 3
# The longest request target (path and query) served: aiohttp's own default limit. The
# parser accepts up to PARSER_MAX_LINE so that a longer one still reaches the middleware
# and is answered 414 as a problem; beyond that the parser refuses it itself (400).
MAX_REQUEST_TARGET = 8190
PARSER_MAX_LINE = 64 * 1024


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One problem ``type`` the server answers with; /docs/problems explains each."""

    slug: str
    status: int
    title: str
    when: str  # what makes the server answer it
    then: str  # what the client does about it

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.slug


# Every problem type the API can answer, in status order: the errors below, the HTTP
# errors aiohttp raises (``_http_problem``) and outages all take theirs from here, and the
# /docs/problems page is rendered from it.
PROBLEM_TYPES: tuple[ProblemType, ...] = (
    ProblemType(
        "bad-request",
        400,
        "Bad request",
        "The request could not be read: a body that is not well-formed JSON, or a "
        "`cursor` this server did not hand out.",
        "Fix the request; sent again unchanged it fails the same way. Pass back the "
        "`next` value of a previous page as `cursor`, never a value of your own.",
    ),
    ProblemType(
        "unauthorized",
        401,
        "Authentication required",
        "The route needs a logged-in caller and there is none: no session, a session "
        "token that is unknown, expired or revoked, or an `Authorization` header that is "
        "not `Bearer <token>`.",
        "Log in again (`POST /api/auth/login`) and send the new token.",
    ),
    ProblemType(
        "forbidden",
        403,
        "Forbidden",
        "You are logged in but may not do this: a role or organization membership you do "
        "not have, an e-mail address not confirmed yet, or a change made with the session "
        "cookie without its `X-CSRF-Token` header.",
        "Do not retry as is; `detail` says what is missing.",
    ),
    ProblemType(
        "not-found",
        404,
        "Not found",
        "Nothing is there: no such route, a malformed id, or a record that does not exist "
        "or that you may not see (the answer is the same either way, so it tells nobody "
        "what exists).",
        "Check the path and the id.",
    ),
    ProblemType(
        "method-not-allowed",
        405,
        "Method not allowed",
        "The route exists but not with this HTTP method.",
        "Use one of the methods the `Allow` header lists.",
    ),
    ProblemType(
        "conflict",
        409,
        "Conflict",
        "The request clashes with the current state: an account with this e-mail exists, "
        "a job is already closed, an invitation was already answered, a `client_msg_id` "
        "of yours already names a message in another conversation.",
        "Fetch the current state and decide again; `detail` says what clashed.",
    ),
    ProblemType(
        "payload-too-large",
        413,
        "Payload too large",
        "The request body is over the server's limit, or a chat message is over 10,000 characters.",
        "Send less: files go to storage through an upload URL, never in a JSON body.",
    ),
    ProblemType(
        "uri-too-long",
        414,
        "URI too long",
        f"The request target (path and query string) is over {MAX_REQUEST_TARGET:,} bytes.",
        "Shorten the query string. A `cursor` the server handed out is always short; "
        "a longer one was not made by this server.",
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        "Unsupported media type",
        "The body or file is of a media type this route does not take.",
        "Send one of the types the route documents.",
    ),
    ProblemType(
        "validation",
        422,
        "Validation failed",
        "A field failed validation: a wrong type, a value out of range, an unknown field, "
        "a value the database refuses (such as a NUL character).",
        "`errors` lists each bad field (`body.email`, `query.limit`) with a message; fix "
        "those and send again.",
    ),
    ProblemType(
        "rate-limited",
        429,
        "Too many requests",
        "You are over a rate limit (messages sent, upload URLs, enrichment requests, "
        "password attempts).",
        "Wait a moment and retry (the `Retry-After` header, when present, says how many "
        "seconds); a message is retried with the same `client_msg_id`, so it is stored once.",
    ),
    ProblemType(
        "internal",
        500,
        "Internal error",
        "Something failed that should not have: a bug. It has been logged, and the "
        "response's `X-Request-ID` header names the request in the server's log.",
        "Retrying rarely helps; report the `X-Request-ID`.",
    ),
    ProblemType(
        "bad-gateway",
        502,
        "Bad gateway",
        "A service outside RizeOS that the request needed answered with nonsense, an "
        "error, or not within its time: an identity provider's discovery document, keys or "
        "token endpoint while signing in with it (an HTML page there, not a problem "
        "document).",
        "Try again in a moment; if it persists, sign in another way.",
    ),
    ProblemType(
        "unavailable",
        503,
        "Service unavailable",
        "The server cannot serve the request right now, though the request itself is "
        "fine: the database or Redis cannot be reached (restarting, overloaded, a network "
        "cut), file storage is unreachable, or too many messages are waiting to be "
        "stored.",
        "Retry after the `Retry-After` header's seconds, backing off if it happens "
        "again. Retries are safe where the request is idempotent: resend a message with "
        "the same `client_msg_id` and it is stored once. On a socket the same condition "
        "acks `unavailable` (or `busy` for the message queue).",
    ),
)
PROBLEMS: dict[str, ProblemType] = {t.slug: t for t in PROBLEM_TYPES}
_PROBLEM_BY_STATUS: dict[int, ProblemType] = {t.status: t for t in PROBLEM_TYPES}


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


def _kind(slug: str) -> tuple[int, str, str]:
    kind = PROBLEMS[slug]
    return kind.status, kind.slug, kind.title


class AppError(Exception):
    status, slug, title = _kind("internal")

    def __init__(self, detail: str, errors: list[FieldError] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def problem(self) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            errors=self.errors,
        )


class BadRequest(AppError):
    status, slug, title = _kind("bad-request")


class Unauthorized(AppError):
    status, slug, title = _kind("unauthorized")


class Forbidden(AppError):
    status, slug, title = _kind("forbidden")


class NotFound(AppError):
    status, slug, title = _kind("not-found")


class Conflict(AppError):
    status, slug, title = _kind("conflict")


class PayloadTooLarge(AppError):
    status, slug, title = _kind("payload-too-large")


class UriTooLong(AppError):
    status, slug, title = _kind("uri-too-long")


class UnsupportedMediaType(AppError):
    status, slug, title = _kind("unsupported-media-type")


class Invalid(AppError):
    status, slug, title = _kind("validation")

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls(f"{name}: {message}", [FieldError(field=name, message=message)])


class RateLimited(AppError):
    status, slug, title = _kind("rate-limited")

    def __init__(self, detail: str, retry_after: int | None = None):
        super().__init__(detail)
        self.retry_after = retry_after  # seconds, sent as ``Retry-After`` when known


class BadGateway(AppError):
    status, slug, title = _kind("bad-gateway")


class Unavailable(AppError):
    status, slug, title = _kind("unavailable")


class Unreachable(Exception):
    """A service the request needs cannot be reached: ``Database`` raises it when its pool
    cannot open a connection, whatever the reason (refused, timed out, the server turning
    connections away). Neither the client's fault nor a bug: answered 503, retry later."""


# Failures that mean PostgreSQL or Redis is away, not that a statement was refused: the
# connection cannot be made, or it dropped mid-query (a restart, a network cut, our
# backend terminated), or a transaction rolled back by a lock race that a retry wins. Their
# messages are the driver's, so nothing of ours leaks.
_OUTAGES: tuple[type[BaseException], ...] = (
    Unreachable,
    asyncpg.PostgresConnectionError,  # class 08: lost mid-query, or refused at connect
    asyncpg.AdminShutdownError,  # 57P01: shut down, or our backend terminated
    asyncpg.CrashShutdownError,  # 57P02: another backend crashed; every session was reset
    asyncpg.CannotConnectNowError,  # 57P03: starting up, shutting down, in recovery
    asyncpg.TooManyConnectionsError,  # 53300
    # 40P01, 40001: this transaction lost a lock race and was rolled back whole; the same
    # request made again succeeds (services that can retry in place do: applications/triage)
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    redis.exceptions.ConnectionError,  # refused, reset, or still loading its data
    redis.exceptions.TimeoutError,
    ConnectionError,  # refused, reset, broken pipe: a peer we were talking to went away
    TimeoutError,  # asyncio.TimeoutError too: a peer that does not answer in time
)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says a service we depend on is unreachable for now (HTTP 503 with
    ``Retry-After``; the socket ack code ``unavailable``) rather than a bug."""
    if isinstance(exc, _OUTAGES):
        return True
    # asyncpg's answer to using a connection it has seen drop: a statement on it ("connection
    # is closed"), or ending the transaction that was open when it dropped ("cannot call
    # Transaction.__aexit__(): the underlying connection is closed"), which is what a
    # ``Database.transaction()`` block cut mid-query raises.
    return isinstance(exc, asyncpg.InterfaceError) and "connection is closed" in str(exc)


def log_outage(where: str, exc: BaseException) -> None:
    """One line per call answered as an outage: what failed, without a traceback (it would
    be the same one for every request while the outage lasts)."""
    log.warning("%s: answered unavailable: %s: %s", where, type(exc).__name__, exc)


OUTAGE_DETAIL = "a service this request needs cannot be reached right now; retry shortly"
RETRY_AFTER = {"Retry-After": str(RETRY_AFTER_S)}

_problem_encoder = msgspec.json.Encoder()


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=_problem_encoder.encode(problem),
        status=problem.status,
        content_type="application/problem+json",
        headers=headers,
    )


def _http_problem(exc: web.HTTPException) -> Problem:
    kind = _PROBLEM_BY_STATUS.get(exc.status)
    if kind is None:
        # RFC 9457's type for "nothing more to say than the status code".
        return Problem(type="about:blank", title=exc.reason, status=exc.status, detail=exc.reason)
    return Problem(
        type=kind.uri, title=kind.title, status=exc.status, detail=exc.text or exc.reason
    )


def _app_error_response(exc: AppError, is_api: bool) -> web.Response:
    headers = RETRY_AFTER if exc.status == 503 else None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        headers = {"Retry-After": str(exc.retry_after)}
    if is_api:
        return problem_response(exc.problem(), headers=headers)
    return web.Response(
        text=f"{exc.status} {exc.title}: {exc.detail}", status=exc.status, headers=headers
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    is_api = request.path.startswith("/api")
    try:
        if len(request.raw_path) > MAX_REQUEST_TARGET:
            raise UriTooLong(
                f"the request target is {len(request.raw_path):,} bytes; at most "
                f"{MAX_REQUEST_TARGET:,} are served"
            )
        return await handler(request)
    except AppError as exc:
        return _app_error_response(exc, is_api)
    except web.HTTPRequestEntityTooLarge as exc:
        problem = PayloadTooLarge(exc.text or "request body too large").problem()
        return (
            problem_response(problem) if is_api else web.Response(text=problem.detail, status=413)
        )
    except asyncpg.DataError as exc:
        # Validation should have caught this (a NUL byte, a number out of range, ...): it is
        # the client's value, so a 422 and nothing written (the transaction rolled back).
        # Logged so the missing validation gets added where it belongs.
        log.warning(
            "data error reached the database on %s %s: %s",
            request.method,
            request.rel_url.raw_path,
            exc,
        )
        problem = Invalid(f"a value was refused by the database: {exc}").problem()
        return (
            problem_response(problem) if is_api else web.Response(text=problem.detail, status=422)
        )
    except web.HTTPException as exc:
        if exc.status < 400 or not is_api:
            raise
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return problem_response(_http_problem(exc), headers=allow)
    except Exception as exc:
        if is_outage(exc):
            log_outage(f"{request.method} {request.rel_url.raw_path}", exc)
            return _app_error_response(Unavailable(OUTAGE_DETAIL), is_api)
        log.exception("unhandled error on %s %s", request.method, request.rel_url.raw_path)
        if is_api:
            return problem_response(
                AppError("an unexpected error occurred; it has been logged").problem()
            )
        return web.Response(text="500 Internal Server Error", status=500)
