"""The Redis bus: targeted fan-out between instances, with bounded memory and connections.

Each node owns a channel ``<prefix>:node:<node_id>`` and records, per user, how many of
that user's sockets it holds (``<prefix>:u:<user_id>`` hash, field = node id). An emit to
users is encoded once and handed to one Lua script that publishes it only to the nodes
holding a recipient, so a node with no recipient never receives or decodes it (the stock
``AsyncRedisManager`` makes every node decode every emit). Control messages (disconnect a
session, emits to other rooms) go to ``<prefix>:all``.

Why not the stock manager: under overload its ``_publish`` builds a new Redis client on
every ``MaxConnectionsError`` without closing the old one (seen climbing past 1,000 Redis
connections). Here one client on one small ``BlockingConnectionPool`` lives as long as the
node; publishes go through a bounded queue drained by one task in pipelined batches;
best-effort events are refused first when the queue fills, reliable ones wait briefly and
are then dropped and counted (they are committed in PostgreSQL; clients resume from there).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.logs import shared_task
from server.metrics.families import UNCOUNTED, Metrics
from server.realtime.packets import NODE_MESSAGE_SEPARATOR, first_sent_at, node_message

log = logging.getLogger("rizeos.realtime.bus")

POOL_SIZE = 8  # publisher, listener, presence writes, online() reads
QUEUE_SIZE = 10_000
BATCH = 256
RELIABLE_WAIT = 1.0  # seconds a reliable publish may wait for queue room
HEARTBEAT_EVERY = 3.0
HEARTBEAT_TTL = 10  # seconds; a node silent this long is dead and its presence is swept

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def lua(name: str) -> str:
    """A Lua script of ``scripts/``, read once when the bus is made (each says what it does)."""
    return (SCRIPTS / f"{name}.lua").read_text()


_json = msgspec.json.Encoder()
_unjson = msgspec.json.Decoder()


@dataclass
class FanoutStats:
    published: int = 0
    received: int = 0  # emits from other nodes: node messages and broadcasts
    dropped_best_effort: int = 0
    dropped_reliable: int = 0
    publish_errors: int = 0
    resubscribes: int = 0
    presence_republished: int = 0


class RedisBus:
    """One Redis client, one bounded publish queue, one publisher task per process."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        node_id: str | None = None,
        queue_size: int = QUEUE_SIZE,
        pool_size: int = POOL_SIZE,
        metrics: Metrics = UNCOUNTED,
    ):
        self.prefix = prefix
        self.node_id = node_id or uuid.uuid4().hex[:12]
        self.node_channel = f"{prefix}:node:{self.node_id}"
        self.all_channel = f"{prefix}:all"
        # TCP keepalive notices a dead peer behind a silent network; a Unix socket has no
        # such option (redis-py refuses the keyword for it).
        tcp_only = {} if url.startswith("unix:") else {"socket_keepalive": True}
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=5,
            health_check_interval=30,
            **tcp_only,
            # A pooled connection may be stale after a Redis restart: retry once or twice on
            # a fresh one before an error reaches the caller (bounded, same pool).
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            client_name=f"{prefix}:{self.node_id}",
        )
        self.redis = aioredis.Redis(connection_pool=pool, decode_responses=False)
        self._route = self.redis.register_script(lua("route"))
        self._presence_set = self.redis.register_script(lua("presence_set"))
        self._online = self.redis.register_script(lua("online"))
        self._sweep = self.redis.register_script(lua("sweep"))
        self.queue: asyncio.Queue[tuple[bool, str, Any, Any]] = asyncio.Queue(queue_size)
        self.stats = FanoutStats()
        self.lag = metrics.bus_lag
        self._tasks: list[asyncio.Task] = []
        self._publisher: asyncio.Task | None = None

    def user_key(self, user_id: str) -> str:
        return f"{self.prefix}:u:{user_id}"

    # publishing ---------------------------------------------------------------------------
    def _ensure_publisher(self) -> None:
        if self._publisher is None or self._publisher.done():
            self._publisher = shared_task(self._publish_loop(), name="fanout-publisher")

    async def _enqueue(self, item: tuple[bool, str, Any, Any]) -> None:
        self._ensure_publisher()
        best_effort = item[0]
        # Best-effort events may only use half the queue, so they are refused well before a
        # reliable event has to wait: typing and presence go first under load.
        if best_effort:
            if self.queue.qsize() >= self.queue.maxsize // 2:
                self.stats.dropped_best_effort += 1
                return
            self.queue.put_nowait(item)
            return
        try:
            self.queue.put_nowait(item)
            return
        except asyncio.QueueFull:
            pass
        try:
            await asyncio.wait_for(self.queue.put(item), RELIABLE_WAIT)
        except TimeoutError:
            self.stats.dropped_reliable += 1
            log.warning("fan-out queue full; dropped a live event (clients resume from the db)")

    async def route(
        self, namespace: str, user_ids: list[str], packet: str, *, best_effort: bool
    ) -> None:
        """Publish ``packet`` to every other node holding a socket of one of ``user_ids``."""
        if NODE_MESSAGE_SEPARATOR in packet:  # JSON text never holds a raw NUL
            raise ValueError("an event packet must not contain NUL")
        message = node_message(namespace, best_effort, user_ids, packet, time.time())
        await self._enqueue((best_effort, "route", user_ids, message))

    async def broadcast(self, message: dict, *, best_effort: bool = False) -> None:
        message["origin"] = self.node_id
        message["sent_at"] = time.time()
        await self._enqueue((best_effort, "publish", self.all_channel, _json.encode(message)))

    async def _publish_loop(self) -> None:
        delay = 0.05
        while True:
            items = [await self.queue.get()]
            while len(items) < BATCH and not self.queue.empty():
                items.append(self.queue.get_nowait())
            taken = len(items)
            for _attempt in range(4):
                try:
                    # EVALSHA straight into the pipeline: handing the Script object to a
                    # pipeline makes redis-py ask SCRIPT EXISTS before every execute, one
                    # more round trip per batch. A NOSCRIPT reply (Redis restarted) loads
                    # the script and retries the batch below.
                    pipe = self.redis.pipeline(transaction=False)
                    run: list[tuple[Any, str]] = []
                    for _, op, target, message in items:
                        if op == "route":
                            run.append((target, message))
                            continue
                        self._route_run(pipe, run)  # what came before goes first
                        run = []
                        pipe.publish(target, message)
                    self._route_run(pipe, run)
                    await pipe.execute()
                    self.stats.published += len(items)
                    delay = 0.05
                    break
                except asyncio.CancelledError:
                    raise
                except NoScriptError:
                    await self._load_route_script()
                    continue
                except Exception as exc:  # Redis down or slow: back off, shed typing first
                    self.stats.publish_errors += 1
                    log.error("redis publish failed (%s); retrying in %.2fs", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    kept = [i for i in items if not i[0]]
                    self.stats.dropped_best_effort += len(items) - len(kept)
                    items = kept
                    if not items:
                        break
            else:
                self.stats.dropped_reliable += len(items)
                log.error(
                    "dropped %d live events after retries (clients resume from the db)", len(items)
                )
            for _ in range(taken):
                self.queue.task_done()

    def _route_run(self, pipe: Any, run: list[tuple[Any, str]]) -> None:
        """One ``route.lua`` call for a run of consecutive emits (see the script)."""
        if not run:
            return
        index: dict[str, int] = {}
        args: list[str] = [self.node_id, self.prefix]
        for user_ids, message in run:
            args.append(message)
            args.append(",".join(str(index.setdefault(u, len(index) + 1)) for u in user_ids))
        keys = [self.user_key(u) for u in index]
        pipe.evalsha(self._route.sha, len(keys), *keys, *args)

    async def _load_route_script(self) -> None:
        try:
            self._route.sha = await self.redis.script_load(self._route.script)
        except Exception as exc:  # the retry that follows reports it
            log.warning("could not load the fan-out script (%s)", exc)

    async def flush(self, within: float = 2.0) -> None:
        """Wait (bounded) until everything queued so far has been handed to Redis."""
        try:
            await asyncio.wait_for(self.queue.join(), within)
        except TimeoutError:
            log.warning("%d live events still queued after %.1fs", self.queue.qsize(), within)

    # presence ----------------------------------------------------------------------------
    async def set_presence(self, user_id: str, count: int) -> tuple[int, int]:
        before, after = await self._presence_set(
            keys=[self.user_key(user_id), f"{self.prefix}:nodeusers:{self.node_id}"],
            args=[self.node_id, count],
        )
        return int(before), int(after)

    async def republish_presence(self, counts: dict[str, int]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for user_id, count in counts.items():
            await self._presence_set(
                keys=[self.user_key(user_id), f"{self.prefix}:nodeusers:{self.node_id}"],
                args=[self.node_id, count],
                client=pipe,
            )
        await pipe.execute()
        self.stats.presence_republished += 1

    async def online(self, user_ids: list[str]) -> set[str]:
        if not user_ids:
            return set()
        flags = await self._online(keys=[self.user_key(u) for u in user_ids], args=[self.prefix])
        return {u for u, flag in zip(user_ids, flags, strict=True) if flag}

    async def heartbeat(self) -> bool:
        """Refresh this node's liveness; False when it had lapsed (Redis restarted, or the
        node stalled past the TTL and was swept), so presence must be written again."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(f"{self.prefix}:alive:{self.node_id}", 1, ex=HEARTBEAT_TTL, get=True)
        pipe.sadd(f"{self.prefix}:nodes", self.node_id)
        previous, _ = await pipe.execute()
        return previous is not None

    async def sweep(self) -> list[str]:
        """Forget dead nodes' connection counts; the user ids that went offline with them."""
        gone = await self._sweep(keys=[f"{self.prefix}:nodes"], args=[self.prefix])
        cut = len(self.prefix) + 3
        return [k.decode()[cut:] for k in gone]

    async def leave(self) -> None:
        """Graceful shutdown: this node's sockets are gone, say so at once."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(f"{self.prefix}:alive:{self.node_id}")
        await pipe.execute()
        await self.sweep()

    # listening ---------------------------------------------------------------------------
    async def listen(
        self,
        on_node: Callable[[str], Awaitable[None]],
        on_all: Callable[[dict], Awaitable[None]],
        on_resubscribed: Callable[[], Awaitable[None]],
    ) -> None:
        """Deliver messages for this node until cancelled; re-subscribe on the same client
        after any failure, then let the node tell its sockets they may have missed events."""
        delay = 0.1
        first = True
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.node_channel, self.all_channel)
                if not first:
                    self.stats.resubscribes += 1
                    await on_resubscribed()
                first = False
                delay = 0.1
                async for message in pubsub.listen():
                    # Inside the try: one unreadable message is skipped, not taken for a lost
                    # subscription (a re-subscribe loses what is published meanwhile).
                    try:
                        channel = message["channel"].decode()
                        data = message["data"].decode()
                        if channel == self.node_channel:
                            emits = data.count(NODE_MESSAGE_SEPARATOR) + 1
                            self._received(emits, first_sent_at(data))
                            await on_node(data)
                        else:
                            control = _unjson.decode(data)
                            if control.get("origin") != self.node_id:
                                self._received(1, control.get("sent_at"))
                                await on_all(control)
                    except Exception:
                        log.exception("failed to handle a fan-out message")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                first = False
                log.error("redis subscription lost (%s); re-subscribing in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:  # the connection is already broken; the pool replaces it
                    log.debug("closing a broken subscription failed", exc_info=True)

    def _received(self, emits: int, sent_at: float | None) -> None:
        """Count what arrived; its lag from the publish time of its oldest emit, when
        stamped (an instance older than the stamp sends none). Clocks a little apart can
        make it negative: counted as no lag. A stamp that is not a finite time is no
        measurement (an infinite lag would make the histogram's sum infinite for good)."""
        self.stats.received += emits
        if isinstance(sent_at, float) and math.isfinite(sent_at):
            self.lag.observe(max(0.0, time.time() - sent_at))

    def start(self, *coroutines: Awaitable[None]) -> None:
        self._ensure_publisher()
        for coroutine in coroutines:
            self._tasks.append(asyncio.ensure_future(coroutine))

    async def close(self) -> None:
        await self.flush()
        tasks = [*self._tasks, *([self._publisher] if self._publisher else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._publisher = None
        await self.redis.aclose()
        await self.redis.connection_pool.disconnect()
