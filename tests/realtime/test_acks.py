"""Every namespace answers its client calls through ``server.sockets.acked``: the result, or
an error object whose code is spelled the same in every namespace (docs/realtime.md)."""

from __future__ import annotations

import asyncpg
import msgspec
import pytest
import redis.exceptions

from server.errors import (
    OUTAGE_DETAIL,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
    Unreachable,
)
from server.sockets import INTERNAL_ACK_MESSAGE, acked


class Namespace:
    namespace = "/test"

    def __init__(self, outcome: object):
        self.outcome = outcome

    @acked
    async def on_call(self, sid, data):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.mark.parametrize(
    "error, code",
    [
        (Invalid("bad"), "invalid"),
        (NotFound("bad"), "not_found"),
        (Forbidden("bad"), "forbidden"),
        (Conflict("bad"), "conflict"),
        (RateLimited("bad"), "rate_limited"),
        (PayloadTooLarge("bad"), "too_large"),
        (Unavailable("bad"), "busy"),
        (Unauthorized("bad"), "unauthorized"),
    ],
)
async def test_app_errors_ack_one_spelling_of_each_code(error, code):
    assert await Namespace(error).on_call("sid", {}) == {"error": {"code": code, "message": "bad"}}


async def test_a_payload_that_fails_validation_acks_invalid():
    try:
        msgspec.convert({"x": "1"}, dict[str, int])
    except msgspec.ValidationError as exc:
        error = exc
    ack = await Namespace(error).on_call("sid", {"x": "1"})
    assert ack == {"error": {"code": "invalid", "message": str(error)}}


async def test_an_unexpected_failure_acks_internal_and_is_logged(caplog):
    ack = await Namespace(RuntimeError("boom")).on_call("sid")
    assert ack == {"error": {"code": "internal", "message": INTERNAL_ACK_MESSAGE}}
    assert "/test on_call handler failed" in caplog.text


async def test_a_result_is_the_ack():
    assert await Namespace({"ok": True}).on_call("sid", None, "extra") == {"ok": True}


@pytest.mark.parametrize(
    "error",
    [
        Unreachable("cannot connect to PostgreSQL"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        redis.exceptions.ConnectionError("Connection refused"),
    ],
)
async def test_an_outage_acks_unavailable_a_code_the_client_retries(error, caplog):
    ack = await Namespace(error).on_call("sid", {})
    assert ack == {"error": {"code": "unavailable", "message": OUTAGE_DETAIL}}
    assert "handler failed" not in caplog.text  # one warning line, not a traceback


async def test_a_statement_the_database_refuses_is_not_an_outage():
    error = asyncpg.ObjectNotInPrerequisiteStateError("currval is not yet defined")
    ack = await Namespace(error).on_call("sid", {})
    assert ack["error"]["code"] == "internal"
