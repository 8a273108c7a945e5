"""One error hierarchy, mapped to HTTP in one middleware.

Services raise ``AppError`` subclasses; the middleware turns them into RFC 9457
problem details (``application/problem+json``) for ``/api`` and a plain page
elsewhere. Anything unexpected is logged with its traceback and answered with a
bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import asyncpg
import msgspec
from aiohttp import web

log = logging.getLogger("rizeos.errors")

PROBLEM_BASE = "/docs/problems#"


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


class AppError(Exception):
    status = 500
    slug = "internal"
    title = "Internal error"

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
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(AppError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(AppError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class Invalid(AppError):
    status, slug, title = 422, "validation", "Validation failed"

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls(f"{name}: {message}", [FieldError(field=name, message=message)])


class RateLimited(AppError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class Unavailable(AppError):
    status, slug, title = 503, "unavailable", "Service unavailable"


_problem_encoder = msgspec.json.Encoder()


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=_problem_encoder.encode(problem),
        status=problem.status,
        content_type="application/problem+json",
        headers=headers,
    )


def _http_problem(exc: web.HTTPException) -> Problem:
    slug = exc.reason.lower().replace(" ", "-")
    return Problem(
        type=PROBLEM_BASE + slug, title=exc.reason, status=exc.status, detail=exc.text or exc.reason
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    is_api = request.path.startswith("/api")
    try:
        return await handler(request)
    except AppError as exc:
        if is_api:
            return problem_response(exc.problem())
        return web.Response(text=f"{exc.status} {exc.title}: {exc.detail}", status=exc.status)
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
            "data error reached the database on %s %s: %s", request.method, request.path, exc
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
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if is_api:
            return problem_response(
                Problem(
                    type=PROBLEM_BASE + "internal",
                    title="Internal error",
                    status=500,
                    detail="an unexpected error occurred; it has been logged",
                )
            )
        return web.Response(text="500 Internal Server Error", status=500)
