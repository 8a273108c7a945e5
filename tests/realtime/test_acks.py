"""Every namespace answers its client calls through ``server.realtime.namespace.acked``: the
result, or an error object whose code is spelled the same in every namespace
(docs/realtime.md)."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
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
from server.realtime.namespace import INTERNAL_ACK_MESSAGE, acked


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


class RawSocket:
    """A Socket.IO client speaking the wire protocol itself over a real WebSocket, so a test
    can send what no well-behaved client library would."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, namespace: str):
        self.ws = ws
        self.namespace = namespace

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, url: str, token: str, namespace: str):
        ws = await session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket")
        self = cls(ws, namespace)
        assert (await self._next()).startswith("0{")  # engine.io OPEN
        await ws.send_str(f"40{namespace},{json.dumps({'token': token})}")
        assert (await self._next()).startswith(f"40{namespace},")  # namespace CONNECT
        return self

    async def _next(self) -> str:
        while True:
            message = await asyncio.wait_for(self.ws.receive(), 10)
            assert message.type == aiohttp.WSMsgType.TEXT, message
            if message.data == "2":  # engine.io PING
                await self.ws.send_str("3")
                continue
            return message.data

    async def call(self, ack_id: int, raw_event_json: str) -> object:
        """Send ``raw_event_json`` as an EVENT with ``ack_id``; the ack's argument."""
        await self.ws.send_str(f"42{self.namespace},{ack_id}{raw_event_json}")
        prefix = f"43{self.namespace},{ack_id}"
        while True:
            packet = await self._next()
            if packet.startswith(prefix):
                [answer] = json.loads(packet[len(prefix) :])
                return answer


@pytest.mark.parametrize(
    "namespace, raw, message",
    [
        # A lone surrogate escape is valid JSON to some parsers but not text msgspec accepts.
        ("/notifications", '["sync",{"after":"\\ud800"}]', "not valid JSON"),
        ("/chat", '["send",{"conversation_id":"\\ud800"}]', "not valid JSON"),
        ("/chat", '["send",{"content":', "not valid JSON"),
        ("/notifications", '{"event":"sync"}', "an event is a list"),
        ("/notifications", "[42]", "an event is a list"),
        ("/notifications", '["no_such_event",{}]', "no such event"),
        ("/chat", '["__init__",{}]', "no such event"),
    ],
)
async def test_every_call_is_answered_even_when_its_packet_cannot_be_read(
    api, client, caplog, namespace, raw, message
):
    user = await api.sign_up()
    url = str(client.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        sock = await RawSocket.connect(session, url, user.token, namespace)
        answer = await sock.call(7, raw)
        assert answer["error"]["code"] == "invalid"
        assert message in answer["error"]["message"]
        # The socket is still served: a good call after the bad one is answered normally.
        if namespace == "/notifications":
            good = await sock.call(8, '["sync",{"after":0}]')
            assert good["ok"] is True
        await sock.ws.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


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
