"""Logging set-up, the one-line-per-request access log with a request id, and the logger
aiohttp's connections use."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

REQUEST_ID_KEY: web.RequestKey[str] = web.RequestKey("request_id", str)
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("rizeos.access")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


@web.middleware
async def request_log_middleware(request: web.Request, handler):
    """Tag each request with an id (a sane client X-Request-ID, or a new one) and log it once."""
    incoming = request.headers.get("X-Request-ID", "")
    request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request[REQUEST_ID_KEY] = request_id
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-ID"] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers["X-Request-ID"] = request_id
        raise
    finally:
        access_log.info(
            "request_id=%s method=%s path=%s status=%d duration_ms=%.1f",
            request_id,
            request.method,
            request.path,
            status,
            (time.perf_counter() - started) * 1000,
        )


class _ConnectionLog(logging.LoggerAdapter):
    """aiohttp's per-connection logger. A request its HTTP parser refuses before any
    middleware runs (a malformed request line, a header over its limit) is the client's
    error, answered 400 by aiohttp: one warning line, not an ERROR with the parser's
    traceback. Everything else is logged as aiohttp logs it."""

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        if isinstance(exc_info, HttpProcessingError):
            self.warning(
                msg + " (refused by the HTTP parser): %s", *args, exc_info.message, **kwargs
            )
            return
        super().exception(msg, *args, exc_info=exc_info, **kwargs)


# For the app's ``handler_args`` (``logger``): aiohttp's own logger, adapted.
connection_log = _ConnectionLog(logging.getLogger("aiohttp.server"))
