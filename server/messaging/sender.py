"""Storing chat messages: one round trip per send, and group commit under load.

Every send is one call of the ``send_messages`` SQL function (sql/messaging/functions.sql): it
locks the conversations, checks that each sender is a participant, returns the stored message
for a ``client_msg_id`` already used, assigns seqs, inserts, moves the sender's read
marker and returns each conversation's participants (the event's recipients), in one
implicit transaction. No BEGIN, no COMMIT, no separate participant or idempotency query.

``MessageWriter.submit`` queues a send; one drain task per process stores what is queued
as one batch (at most ``MAX_BATCH`` sends; whatever arrives while a batch is in flight
goes into the next), so N concurrent sends cost one transaction instead of N. Only one
batch is in flight per process, so the events of a conversation leave this process in seq
order. The batch is one unit of work (``Database.autocommit``): its new messages are
emitted through it, so they leave after the commit, in batch order; then each caller gets
its own outcome: its stored message, or its own error.

Failures stay per send: a batch the database refuses as a whole (a value it cannot store,
or a concurrent send with the same ``client_msg_id`` committed by another instance) is
stored again one send at a time, so only the send at fault gets the error. Memory is
bounded: at most ``MAX_PENDING`` sends wait; beyond that a send is refused at once
(``Unavailable``, ``busy`` on the socket) and the client retries with the same
``client_msg_id``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiohttp import web

from server import keys
from server.db import Database, fetch_all
from server.errors import AppError, Conflict, NotFound, Unavailable
from server.logs import shared_task
from server.messaging import events, schemas
from server.messaging.alerts import UnreadCounts
from server.messaging.resume import to_message
from server.metrics.families import UNCOUNTED, Metrics

NOT_FOUND = "no such conversation"
# A batch's arrays and result rows stay small; 256 sends is ~1 ms of database work.
MAX_BATCH = 256
# Sends waiting for a batch, per process. At a few thousand sends a second that is about a
# second of work: a client waiting longer is better told to retry.
MAX_PENDING = 4096
# Batches start at least this long apart while sends keep coming, so under load a call
# carries more sends: PostgreSQL's fixed cost per call (~300-400 µs of CPU on a 2-core box:
# the function call, its big statement, the commit) is paid once per batch. A send after an
# idle spell is stored at once (only one event-loop turn for company), so a quiet
# conversation pays no latency for it; a full batch never waits.
BATCH_INTERVAL_S = 0.005


@dataclass(frozen=True, slots=True)
class Sent:
    message: schemas.Message
    created: bool  # False: an idempotent retry; this is the message stored the first time


@dataclass(slots=True)
class _Send:
    sender_id: uuid.UUID
    conversation_id: uuid.UUID
    body: schemas.MessageSend
    skip_sid: str | None
    future: asyncio.Future[Sent]

    @property
    def key(self) -> tuple[uuid.UUID, str] | None:
        cid = self.body.client_msg_id
        return None if cid is None else (self.sender_id, cid)


def _message(row: asyncpg.Record) -> schemas.Message:
    return schemas.Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        sender_id=row["sender_id"],
        content=row["content"],
        attachment_url=row["attachment_url"],
        attachment_type=row["attachment_type"],
        client_msg_id=row["client_msg_id"],
        sent_at=row["sent_at"],
    )


def outcome_of(row: asyncpg.Record) -> Sent | AppError:
    """What one ``send_messages`` row means for its sender: the stored message (new, or
    the one a reused ``client_msg_id`` names), or the error to answer."""
    outcome = row["outcome"]
    if outcome in ("created", "duplicate"):
        return Sent(_message(row), created=outcome == "created")
    if outcome == "conflict":
        return Conflict(
            "client_msg_id already names one of your messages in another "
            "conversation; use a fresh id for every new message"
        )
    return NotFound(NOT_FOUND)


class MessageWriter:
    """Stores sends (batched when ``batching``); new messages are emitted after the commit."""

    def __init__(
        self,
        db: Database,
        *,
        batching: bool = True,
        max_batch: int = MAX_BATCH,
        max_pending: int = MAX_PENDING,
        interval: float = BATCH_INTERVAL_S,
        unread: UnreadCounts | None = None,
        metrics: Metrics = UNCOUNTED,
    ):
        self.db = db
        # Sends raise unread counts: the participants a batch made newly unread are told
        # their count after the commit, in the background (alerts.py).
        self.unread = unread or UnreadCounts(db)
        self.batching = batching
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.interval = interval
        self._last_start = float("-inf")
        self._pending: deque[_Send] = deque()
        self._drainer: asyncio.Task | None = None
        self._unbatched: set[asyncio.Task] = set()  # one-send stores when not batching
        self.batches = 0  # batches stored, for tests and curiosity
        # The app's: messages stored and each batch's size (/metrics).
        self.stored = metrics.chat_messages_stored
        self.batch_sizes = metrics.chat_commit_batch_size

    async def submit(
        self,
        sender_id: uuid.UUID,
        conversation_id: uuid.UUID,
        body: schemas.MessageSend,
        skip_sid: str | None = None,
    ) -> Sent:
        """Store one send (or find its earlier copy); announce it if new; return it.

        ``skip_sid``: the socket the send came from, which gets the message in its ack and
        so is left out of the live event (the sender's other sockets still get it)."""
        return await self.enqueue(sender_id, conversation_id, body, skip_sid)

    def enqueue(
        self,
        sender_id: uuid.UUID,
        conversation_id: uuid.UUID,
        body: schemas.MessageSend,
        skip_sid: str | None = None,
    ) -> asyncio.Future[Sent]:
        """Queue one send now (sends queued one after another are stored in that order)
        and return the future of its outcome, as ``submit`` would return it."""
        future: asyncio.Future[Sent] = asyncio.get_running_loop().create_future()
        send = _Send(sender_id, conversation_id, body, skip_sid, future)
        if not self.batching:
            task = asyncio.ensure_future(self._store([send]))
            self._unbatched.add(task)
            task.add_done_callback(self._unbatched.discard)
            return future
        if len(self._pending) >= self.max_pending:
            raise Unavailable("the server is busy storing messages; retry in a moment")
        self._pending.append(send)
        if self._drainer is None:
            self._drainer = shared_task(self._drain(), name="messaging-send-drain")
        return future

    async def close(self) -> None:
        """Store what is queued, then stop (at shutdown)."""
        if self._drainer is not None:
            await asyncio.shield(self._drainer)
        if self._unbatched:
            await asyncio.gather(*self._unbatched, return_exceptions=True)
        await self.unread.close()

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(0)  # sends already received join the first batch
            while self._pending:
                wait = self._last_start + self.interval - loop.time()
                if wait > 0 and len(self._pending) < self.max_batch:
                    await asyncio.sleep(wait)
                self._last_start = loop.time()
                await self._store(self._take())
        finally:
            self._drainer = None

    def _take(self) -> list[_Send]:
        """The next batch, in arrival order. A second send with a (sender, client_msg_id)
        already in the batch waits for the next one, where it finds the first stored."""
        batch: list[_Send] = []
        keys: set[tuple[uuid.UUID, str]] = set()
        held: list[_Send] = []
        pending = self._pending
        while pending and len(batch) < self.max_batch:
            send = pending.popleft()
            key = send.key
            if key is not None and key in keys:
                held.append(send)
                continue
            if key is not None:
                keys.add(key)
            batch.append(send)
        pending.extendleft(reversed(held))
        return batch

    async def _store(self, batch: list[_Send]) -> None:
        """Store a batch and settle every send in it, whatever happens."""
        try:
            try:
                results = await self._commit(batch)
            except asyncpg.PostgresError as exc:
                if len(batch) > 1:
                    # The database refused the batch as a whole; find the send at fault.
                    for send in batch:
                        await self._store([send])
                    return
                if not isinstance(exc, asyncpg.UniqueViolationError):
                    raise
                # A send with this client_msg_id committed elsewhere while this one
                # waited; stored again, it finds that message.
                try:
                    results = await self._commit(batch)
                except asyncpg.UniqueViolationError:
                    raise Conflict(
                        "another send with this client_msg_id is in progress; retry"
                    ) from None
            self._settle(batch, results)
        except Exception as exc:
            for send in batch:
                if not send.future.done():
                    send.future.set_exception(exc)

    async def _commit(self, batch: Sequence[_Send]) -> list[Sent | AppError]:
        """One ``send_messages`` call for the batch, its own transaction; each new message
        is emitted to its conversation's participants, in batch order (= seq order per
        conversation), once the call has committed."""
        async with self.db.autocommit() as unit:
            rows = await fetch_all(
                self.db.q.messaging.send_messages,
                unit.conn,
                conversation_ids=[s.conversation_id for s in batch],
                sender_ids=[s.sender_id for s in batch],
                contents=[s.body.content for s in batch],
                attachment_urls=[s.body.attachment_url for s in batch],
                attachment_types=[s.body.attachment_type for s in batch],
                client_msg_ids=[s.body.client_msg_id for s in batch],
            )
            self.batches += 1
            outcomes: list[Any] = [None] * len(batch)
            recipients: dict[uuid.UUID, list[uuid.UUID]] = {}
            for row in rows:
                outcomes[row["item"] - 1] = row
                if row["recipients"] is not None:
                    recipients[row["conversation_id"]] = row["recipients"]
            results = [outcome_of(row) for row in outcomes]
            await self._refresh_duplicates(unit.conn, results)
            bases: dict[uuid.UUID, int] = {}  # each conversation's last_seq before the batch
            created = 0
            for send, result in zip(batch, results, strict=True):
                if isinstance(result, Sent) and result.created:
                    created += 1
                    message = result.message
                    unit.emit(
                        events.message_sent(
                            recipients[message.conversation_id], message, send.skip_sid
                        )
                    )
                    cid = message.conversation_id
                    bases[cid] = min(bases.get(cid, message.seq), message.seq - 1)
        self.batch_sizes.observe(len(batch))
        self.stored.inc(created)
        if bases:
            self.unread.after_sends(bases)
        return results

    async def _refresh_duplicates(
        self, conn: asyncpg.Connection, results: list[Sent | AppError]
    ) -> None:
        """A retried send answers with its message as it is now: edited, deleted or reacted
        to since (rev, edited_at, deleted_at, reactions), which ``send_messages`` does not
        return. Only retries pay for this read; new messages are rev 0, unchanged."""
        retried = [i for i, r in enumerate(results) if isinstance(r, Sent) and not r.created]
        if not retried:
            return
        latest = {
            row["id"]: to_message(row)
            for row in await fetch_all(
                self.db.q.messaging.list_messages_by_id,
                conn,
                message_ids=[results[i].message.id for i in retried],  # type: ignore[union-attr]
            )
        }
        for i in retried:
            sent = results[i]
            assert isinstance(sent, Sent)
            results[i] = Sent(latest.get(sent.message.id, sent.message), created=False)

    def _settle(self, batch: list[_Send], results: list[Sent | AppError]) -> None:
        for send, result in zip(batch, results, strict=True):
            if send.future.done():  # the caller went away; the message is stored anyway
                continue
            if isinstance(result, Exception):
                send.future.set_exception(result)
            else:
                send.future.set_result(result)


SEND_WRITER: web.AppKey[MessageWriter] = web.AppKey("messaging_send_writer", MessageWriter)


def install_send_writer(app: web.Application) -> None:
    """One batching writer per process, shared by the /chat namespace and the REST route
    (made at start-up, once the database pool exists; drained at shutdown)."""

    async def writer_ctx(app: web.Application) -> AsyncIterator[None]:
        interval = app[keys.SETTINGS].send_batch_interval_ms / 1000
        writer = MessageWriter(app[keys.DB], interval=interval, metrics=app[keys.METRICS])
        app[SEND_WRITER] = writer
        yield
        await writer.close()

    app.cleanup_ctx.append(writer_ctx)
