"""A leaner engine.io under python-socketio: fewer tasks, timers and bytes per socket.

python-engineio's stock websocket loop costs, per socket and per packet, more than the
event loop's own work on this box (docs/benchmarks.md, issue 12): every packet read starts
a task and an ``asyncio.wait_for`` (another timer and callback); every packet written waits
in ``wait_for(queue.get())`` (a task and a timer each); every socket holds an
``asyncio.Queue`` (four deques, ~3 KB before it holds anything) and a task asleep until its
next ping. This module keeps engine.io's protocol, state and public surface (``sockets``,
``socket.queue``, ``send``, ``close``; the polling transport is unchanged) and changes only
how a socket waits:

* ``SocketQueue``: the send queue as a list and a list of waiting futures.
* ``LeanSocket._websocket_handler``: the read loop awaits the websocket itself, with no
  task, ``wait_for`` or timer per packet; the writer awaits the queue without a timeout
  and writes everything queued before waiting again.
* ``LeanSocket.schedule_ping``: the next ping is a timer callback, not a sleeping task, and
  so is the check that it was answered: a websocket whose client does not answer a ping
  within ``ping_timeout`` is aborted (engine.io's loop ended it by a read timeout of
  ``ping_interval + ping_timeout`` on every read instead; the reader ends, and the writer
  with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import engineio
from aiohttp.web import WebSocketResponse
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from engineio.async_socket import AsyncSocket

log = logging.getLogger("rizeos.realtime.engine")


class SocketQueue:
    """An unbounded FIFO with asyncio.Queue's interface as engine.io uses it (put, get, the
    ``_nowait`` forms, qsize, empty, task_done, join), at a fraction of its size."""

    __slots__ = ("_getters", "_items", "_joiners", "_unfinished")

    def __init__(self, *_: Any, **__: Any):
        self._items: list[Any] = []
        self._getters: list[asyncio.Future[None]] | None = None
        self._unfinished = 0
        self._joiners: list[asyncio.Future[None]] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._unfinished += 1
        self._wake_getter()

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self) -> Any:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(waiter)
            try:
                await waiter
            except BaseException:
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._getters.remove(waiter)
                # Woken and cancelled at once: hand the wake-up to the next getter.
                if self._items and not waiter.cancelled():
                    self._wake_getter()
                raise
        return self._items.pop(0)

    def take_all(self) -> list[Any]:
        """Everything queued, oldest first (the caller calls ``task_done`` for each)."""
        items, self._items = self._items, []
        return items

    def task_done(self, count: int = 1) -> None:
        self._unfinished = max(0, self._unfinished - count)
        if self._unfinished == 0 and self._joiners:
            joiners, self._joiners = self._joiners, None
            for joiner in joiners:
                if not joiner.done():
                    joiner.set_result(None)

    async def join(self) -> None:
        if self._unfinished == 0:
            return
        joiner = asyncio.get_running_loop().create_future()
        if self._joiners is None:
            self._joiners = []
        self._joiners.append(joiner)
        await joiner

    def _wake_getter(self) -> None:
        getters = self._getters
        while getters:
            getter = getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return


class LeanSocket(AsyncSocket):
    """engine.io's server socket with the websocket loop and pings described above."""

    _ping_timer: asyncio.TimerHandle | None = None
    # The websocket's TCP transport, aborted when a ping goes unanswered (polling sockets
    # are checked by engine.io's service task instead).
    _transport: asyncio.Transport | None = None

    async def send(self, pkt: eio_packet.Packet) -> None:
        """Queue a packet for the client (the queue never blocks)."""
        if not await self.check_ping_timeout():
            return
        self.queue.put_nowait(pkt)

    def schedule_ping(self) -> None:
        # As engine.io: the next ping only once the previous one has been answered.
        if self.last_ping:
            self.last_ping = None
            if self._ping_timer is not None:  # the answered ping's deadline
                self._ping_timer.cancel()
            loop = asyncio.get_running_loop()
            self._ping_timer = loop.call_later(self.server.ping_interval, self._ping_due)

    def _ping_due(self) -> None:
        self._ping_timer = None
        if not self.closing and not self.closed:
            self.last_ping = sent = time.time()
            self.queue.put_nowait(eio_packet.Packet(eio_packet.PING))
            if self._transport is not None:
                loop = asyncio.get_running_loop()
                timeout = self.server.ping_timeout
                self._ping_timer = loop.call_later(timeout, self._pong_overdue, sent)

    def _pong_overdue(self, sent: float) -> None:
        """A websocket whose client has not answered a ping within ``ping_timeout`` is dead
        (or too slow to serve): drop it, as engine.io's read timeout would have."""
        self._ping_timer = None
        if self.last_ping == sent and self._transport is not None and not self.closed:
            transport = self._transport
            task = asyncio.ensure_future(
                self.close(wait=False, abort=True, reason=self.server.reason.PING_TIMEOUT)
            )
            task.add_done_callback(lambda _: transport.abort())

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        if self._ping_timer is not None:
            self._ping_timer.cancel()
            self._ping_timer = None
        # engine.io's wait=True waits until the queue is taken, which is for ever when nothing
        # will take it: a websocket whose writer has ended before its reader noticed, a
        # polling client gone. It is awaited after commit in requests (a revoked session, a
        # deleted account), so a websocket does not wait (its writer sends what is queued on
        # its own, below) and a polling socket no longer than a client has to answer a ping.
        first = not self.closed and not self.closing
        await super().close(wait=False, abort=abort, reason=reason)
        if wait and first and self._transport is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.join(), self.server.ping_timeout)
        transport = self._transport
        if transport is not None and not transport.is_closing():
            # Closed by the server (a revoked session, a ping timeout found by a send): the
            # reader would wait on a silent client for ever, so end the websocket here. The
            # writer sends what is queued (the CLOSE packet), then closes it (aiohttp waits
            # for the client's answer up to its close timeout); a client that never answers
            # is cut off after ping_timeout.
            self.queue.put_nowait(None)
            loop = asyncio.get_running_loop()
            loop.call_later(self.server.ping_timeout, transport.abort)

    async def _websocket_handler(self, ws: LeanWebSocket) -> None:
        if self.connected:
            # Upgrade from long-polling, as engine.io does it: probe, then UPGRADE.
            self.upgrading = True  # hold packet sends during the upgrade
            probe = await ws.receive_packet()
            if probe is None or probe.packet_type != eio_packet.PING or probe.data != "probe":
                self.upgrading = False
                return
            await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
            self.queue.put_nowait(eio_packet.Packet(eio_packet.NOOP))  # ends the poll
            upgrade = await ws.receive_packet()
            if upgrade is None or upgrade.packet_type != eio_packet.UPGRADE:
                self.upgraded = False
                self.upgrading = False
                return
            self.upgraded = True
            self.upgrading = False
        else:
            self.connected = True
            self.upgraded = True

        self._transport = ws.transport
        writer = asyncio.ensure_future(self._write_packets(ws))
        try:
            while (pkt := await ws.receive_packet()) is not None:
                try:
                    await self.receive(pkt)
                except eio_exceptions.UnknownPacketError:
                    pass
                except eio_exceptions.SocketIsClosedError:
                    break
                except Exception:
                    log.exception("engine.io receive failed")
        except asyncio.CancelledError:
            # aiohttp cancels the handler when the peer goes away. Finish normally, as
            # engine.io's own loop does, so that engine.io forgets the socket afterwards.
            pass
        finally:
            self.queue.put_nowait(None)  # lets the writer finish
            # The cancellation may come here instead; the socket must still be closed (its
            # disconnect handlers run).
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    async def _write_packets(self, ws: LeanWebSocket) -> None:
        queue: SocketQueue = self.queue
        try:
            while True:
                packets = [await queue.get(), *queue.take_all()]
                queue.task_done(len(packets))
                for pkt in packets:
                    if pkt is None:
                        return
                    await ws.send(pkt.encode())
        except Exception:  # the connection is gone; the reader notices and closes
            log.debug("engine.io websocket write failed", exc_info=True)
        finally:
            await ws.close()


# What RizeOS's namespaces read at connect (the request, for its session cookie) and
# what a python-socketio connect handler is documented to use.
KEPT_ENVIRON_KEYS = frozenset({"aiohttp.request", "REMOTE_ADDR", "QUERY_STRING", "HTTP_ORIGIN"})


class LeanWebSocket(eio_aiohttp.WebSocket):
    """engine.io's aiohttp websocket driver, read without a task or ``wait_for`` per packet,
    with the handshake's environ cut down to what is read later."""

    response: WebSocketResponse
    transport: asyncio.Transport | None

    async def __call__(self, environ: dict) -> WebSocketResponse:
        request = environ["aiohttp.request"]
        self.transport = request.transport
        self.response = self._sock = WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size
        )
        await self.response.prepare(request)
        # The handshake's WSGI-style environ (every header copied under a new key) lives as
        # long as the socket: python-socketio keeps it for namespace connects, engine.io's
        # frames hold it. Past this point they read only these keys of it.
        kept = {key: environ[key] for key in KEPT_ENVIRON_KEYS if key in environ}
        environ.clear()  # frees its table; deleting keys one by one would not
        environ.update(kept)
        await self.handler(self)
        return self.response

    async def send(self, message: str | bytes) -> None:
        if isinstance(message, str):
            await self.response.send_str(message)
        else:
            await self.response.send_bytes(message)

    async def receive_packet(self) -> eio_packet.Packet | None:
        """The next engine.io packet, or None once the connection is closed, broken, silent
        past the ping timeout, or sent something that is not a packet."""
        try:
            message = await self.response.receive()
        except OSError:
            return None
        data = message.data
        if not isinstance(data, str | bytes) or len(data) > self.server.max_http_buffer_size:
            return None
        try:
            return eio_packet.Packet(encoded_packet=data)
        except Exception:
            return None


class SocketTable(dict):
    """``engineio.AsyncServer.sockets``: every socket it adds is made a ``LeanSocket``.

    engine.io builds its sockets inside ``_handle_connect`` from a module-level class; this
    is the one place a server can choose their class without copying that method."""

    def __setitem__(self, sid: str, socket: Any) -> None:
        if type(socket) is AsyncSocket:
            socket.__class__ = LeanSocket
        super().__setitem__(sid, socket)


class LeanEngineServer(engineio.AsyncServer):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sockets = SocketTable(self.sockets)
        self._async = dict(self._async, websocket=LeanWebSocket)

    def create_queue(self, *args: Any, **kwargs: Any) -> SocketQueue:
        return SocketQueue()
