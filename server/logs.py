"""Logging set-up, the one-line-per-request access log with a request id, and the logger
aiohttp's connections use.

``LOG_FORMAT=text`` (the default) prints ``LOG_FORMAT`` lines below; ``LOG_FORMAT=json`` one
JSON object a line (python-json-logger): ``time`` (ISO 8601, UTC), ``level``, ``logger``,
``message``, any fields the record carries, and ``request_id`` on every record logged while
a request is being handled. The access log's records add ``user_id`` (when the caller was
resolved), ``route`` (the route's template), ``method``, ``path``, ``status`` and
``duration_ms``.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import re
import secrets
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from pythonjsonlogger.msgspec import MsgspecFormatter

T = TypeVar("T")

REQUEST_ID_KEY: web.RequestKey[str] = web.RequestKey("request_id", str)
# The signed-in user behind a request, set where the caller is resolved (server/auth), for
# the access log: no lookup of its own.
USER_ID_KEY: web.RequestKey[uuid.UUID] = web.RequestKey("user_id", uuid.UUID)
# The id of the request being handled, for every record logged meanwhile (LOG_FORMAT=json).
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def shared_task(coroutine: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T]:
    """A task doing work for many requests (a batch, a queue's drainer), started by whichever
    came first: a task copies the context it is created in, and without this it would log
    everything it ever does under that first request's id (LOG_FORMAT=json)."""
    context = contextvars.copy_context()
    context.run(current_request_id.set, None)
    return asyncio.get_running_loop().create_task(coroutine, name=name, context=context)


access_log = logging.getLogger("rizeos.access")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# A request id: random per process, then a counter. Unique like a UUID4 and without its
# getrandom() system call per request.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


class BatchingStreamHandler(logging.StreamHandler):
    """A stream handler that writes its lines in batches: when ``max_lines`` are waiting, when
    the oldest has waited ``max_delay_s`` (checked on each line, and by ``flush()`` which
    ``python -m server`` calls every ``max_delay_s``), and at exit. For the access log: one
    line per request written on its own is one write() system call per request, as many as
    the response itself costs (issue 12)."""

    def __init__(self, stream: TextIO, max_lines: int = 256, max_delay_s: float = 0.2):
        super().__init__(stream)
        self.max_lines = max_lines
        self.max_delay_s = max_delay_s
        self._lines: list[str] = []
        self._oldest = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.write_line(line)

    def write_line(self, line: str) -> None:
        """A line already formatted (the access log's own fast path)."""
        now = time.monotonic()
        with self.lock:  # type: ignore[union-attr]
            if not self._lines:
                self._oldest = now
            self._lines.append(line)
            due = len(self._lines) >= self.max_lines or now - self._oldest >= self.max_delay_s
        if due:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if not self._lines:
                return
            text = "\n".join(self._lines) + "\n"
            self._lines.clear()
            try:
                self.stream.write(text)
                self.stream.flush()
            except Exception:
                sys.stderr.write("rizeos: could not write the access log\n")


class _Formatter(logging.Formatter):
    """``LOG_FORMAT``'s formatter, formatting the date and time once a second rather than for
    every record (``time.strftime`` was a visible share of an access log line)."""

    _second = -1
    _text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return self.stamp(record.created)

    def stamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = second
        return f"{self._text},{int((created - second) * 1000):03d}"


class JsonFormatter(MsgspecFormatter):
    """``LOG_FORMAT=json``: ``time``, ``level``, ``logger`` and ``message`` first, then the
    record's extra fields, and the current request's id unless the record has one."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
        )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC)
        super().add_fields(log_data, record, message_dict)
        if "request_id" not in log_data and (request_id := current_request_id.get()) is not None:
            log_data["request_id"] = request_id

    def access_line(
        self, request: web.Request, request_id: str, status: int, duration_ms: float
    ) -> str:
        """The access log's line, as ``format`` would print its record."""
        resource = request.match_info.route.resource
        return self.serialize_log_record(
            {
                "time": datetime.now(UTC),
                "level": "INFO",
                "logger": access_log.name,
                "message": f"{request.method} {request.path} {status}",
                "request_id": request_id,
                "user_id": request.get(USER_ID_KEY),
                "route": None if resource is None else resource.canonical,
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round(duration_ms, 1),
            }
        )


def configure_logging(level: str, log_format: str = "text") -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT)
    formatter = _Formatter(LOG_FORMAT) if log_format == "text" else JsonFormatter()
    for root_handler in logging.getLogger().handlers:
        root_handler.setFormatter(formatter)
    # Nothing in the format needs them, and each costs per record: the caller's file and line
    # (a walk up the stack; ``_srcfile = None`` is logging's documented switch for it) and the
    # process id and name (a getpid() system call each).
    logging._srcfile = None
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = BatchingStreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    access_log.addHandler(handler)
    access_log.propagate = False
    global _access_direct, _access_json, _records_carry_request_id
    _records_carry_request_id = log_format == "json"
    _access_direct = _access_json = None
    if access_log.isEnabledFor(logging.INFO):
        if isinstance(formatter, _Formatter):
            _access_direct = (handler, formatter)
        else:
            _access_json = (handler, formatter)


# Set by ``configure_logging`` (``python -m server``): the access log's handler and formatter,
# to which ``request_log_middleware`` hands its line already formatted, exactly as the
# formatter would print it: a LogRecord, the handler chain and %-formatting cost about as
# much as the rest of a cached request (issue 12). Elsewhere (the tests) lines go through
# ``access_log`` as any log record does.
_access_direct: tuple[BatchingStreamHandler, _Formatter] | None = None
# The same for LOG_FORMAT=json (a record through the formatter costs ~20 µs, its line ~2).
_access_json: tuple[BatchingStreamHandler, JsonFormatter] | None = None
# LOG_FORMAT=json: ``current_request_id`` is set while a request is handled (only then: the
# text format prints no request id but the access line's, and on a cached request the set and
# reset showed in bench/rest.py).
_records_carry_request_id = False


async def access_log_flusher(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context for ``python -m server web``: flush the batched access log every
    ``max_delay_s``, so a quiet server's last lines are not held back, and once at the end."""

    async def flush_now_and_then() -> None:
        while True:
            await asyncio.sleep(0.2)
            for handler in access_log.handlers:
                handler.flush()

    task = asyncio.create_task(flush_now_and_then(), name="access-log-flush")
    yield
    task.cancel()
    for handler in access_log.handlers:
        handler.flush()


# When a request whose FileResponse is yet to be sent started (``perf_counter``): its line
# is written, and its metrics recorded, by ``file_response_logger``'s handler once the
# response's status is settled.
_FILE_STARTED: web.RequestKey[float] = web.RequestKey("access_file_started", float)

# What a settled request is reported to besides the access log: the app's HTTP metrics
# (``HttpRecorder.record``, server/metrics/http.py) with the route's resource, the method,
# the status and the seconds it took. One clock and one settled status serve both.
RequestRecorder = Callable[[Any, str, int, float], None]


def request_log_middleware(record: RequestRecorder) -> Any:
    """The middleware that tags each request with an id (a sane client X-Request-ID, or a new
    one), logs it once and hands the same outcome to ``record``: a closure, so a request does
    not look the recorder up."""

    @web.middleware
    async def request_log(request: web.Request, handler):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = (
            incoming if incoming and _CLIENT_REQUEST_ID.match(incoming) else new_request_id()
        )
        request[REQUEST_ID_KEY] = request_id
        context = current_request_id.set(request_id) if _records_carry_request_id else None
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            response.headers["X-Request-ID"] = request_id
            if isinstance(response, web.FileResponse) and not response.prepared:
                # Its status (not found, not modified, partial) is settled when it is sent.
                request[_FILE_STARTED] = started
                status = 0
            else:
                status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            exc.headers["X-Request-ID"] = request_id
            raise
        finally:
            if context is not None:
                current_request_id.reset(context)
            if status:
                _settled(request, request_id, status, started, record)

    return request_log


def file_response_logger(record: RequestRecorder) -> Any:
    """The app's ``on_response_prepare`` handler: the access line and the metrics of a
    FileResponse, with the status it is sent with."""

    async def log_file_response(request: web.Request, response: web.StreamResponse) -> None:
        started = request.get(_FILE_STARTED)
        if started is not None:
            del request[_FILE_STARTED]
            _settled(request, request[REQUEST_ID_KEY], response.status, started, record)

    return log_file_response


def _settled(
    request: web.Request, request_id: str, status: int, started: float, record: RequestRecorder
) -> None:
    seconds = time.perf_counter() - started
    record(request.match_info.route.resource, request.method, status, seconds)
    _write_access_line(request, request_id, status, seconds * 1000)


def _write_access_line(
    request: web.Request, request_id: str, status: int, duration_ms: float
) -> None:
    # The text lines show the path as sent (percent-encoded): decoded, a "%0A" in it
    # would end the line and let the rest pass for a record of its own.
    if _access_direct is not None:
        handler_, formatter = _access_direct
        handler_.write_line(
            f"{formatter.stamp(time.time())} INFO rizeos.access request_id={request_id}"
            f" method={request.method} path={request.rel_url.raw_path} status={status}"
            f" duration_ms={duration_ms:.1f}"
        )
    elif _access_json is not None:
        handler_, json_formatter = _access_json
        handler_.write_line(json_formatter.access_line(request, request_id, status, duration_ms))
    else:
        access_log.info(
            "request_id=%s method=%s path=%s status=%d duration_ms=%.1f",
            request_id,
            request.method,
            request.rel_url.raw_path,
            status,
            duration_ms,
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
