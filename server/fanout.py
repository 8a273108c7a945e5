"""Targeted fan-out between instances through Redis, with bounded memory and connections.

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
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.events import session_room, user_room

log = logging.getLogger("rizeos.fanout")

POOL_SIZE = 8  # publisher, listener, presence writes, online() reads
QUEUE_SIZE = 10_000
BATCH = 256
RELIABLE_WAIT = 1.0  # seconds a reliable publish may wait for queue room
HEARTBEAT_EVERY = 3.0
HEARTBEAT_TTL = 10  # seconds; a node silent this long is dead and its presence is swept

# Routes a run of emits in one call. KEYS: the recipients' user hashes (each once).
# ARGV: origin node, key prefix, then per emit its node message and the 1-based indexes of
# its recipients' KEYS ("1,4"). Each node holding a recipient of some emits gets ONE
# publish: those emits' messages in order, joined by NUL (never in a message: JSON escapes
# it, and the header is ours), so a run of N emits costs one script call, one publish per
# node and one pub/sub message for each receiving node to read, instead of N of each.
ROUTE = """
local nodes_of, out, order = {}, {}, {}
for i, k in ipairs(KEYS) do nodes_of[i] = redis.call('HKEYS', k) end
for a = 3, #ARGV, 2 do
  local seen = {}
  for i in string.gmatch(ARGV[a + 1], '%d+') do
    for _, node in ipairs(nodes_of[tonumber(i)]) do
      if node ~= ARGV[1] and not seen[node] then
        seen[node] = true
        if not out[node] then out[node] = {}; order[#order + 1] = node end
        local batch = out[node]
        batch[#batch + 1] = ARGV[a]
      end
    end
  end
end
local n = 0
for _, node in ipairs(order) do
  n = n + redis.call('PUBLISH', ARGV[2] .. ':node:' .. node, table.concat(out[node], '\\0'))
end
return n
"""
NODE_MESSAGE_SEPARATOR = "\0"

# KEYS: user hash, this node's user set. ARGV: node, count. The node writes its absolute
# count (not an increment) so a retry or a full re-publish after an outage is idempotent.
PRESENCE_SET = """
local function total()
  local n = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[1])) do n = n + tonumber(v) end
  return n
end
local before = total()
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], KEYS[1])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], KEYS[1])
end
return {before, total()}
"""

# KEYS: user hashes. ARGV: key prefix. 1 per user with a socket on a node that is alive.
ONLINE = """
local out = {}
for i, k in ipairs(KEYS) do
  out[i] = 0
  local kv = redis.call('HGETALL', k)
  for j = 1, #kv, 2 do
    if tonumber(kv[j + 1]) > 0 and redis.call('EXISTS', ARGV[1] .. ':alive:' .. kv[j]) == 1 then
      out[i] = 1
      break
    end
  end
end
return out
"""

# KEYS: the node set. ARGV: key prefix. Forgets nodes whose heartbeat lapsed; returns the
# user hashes left empty (those users went offline with the node).
SWEEP = """
local gone = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. ':alive:' .. node) == 0 then
    local users = ARGV[1] .. ':nodeusers:' .. node
    for _, k in ipairs(redis.call('SMEMBERS', users)) do
      redis.call('HDEL', k, node)
      if redis.call('HLEN', k) == 0 then gone[#gone + 1] = k end
    end
    redis.call('DEL', users)
    redis.call('SREM', KEYS[1], node)
  end
end
return gone
"""

_json = msgspec.json.Encoder()
_unjson = msgspec.json.Decoder()


def encode_event(namespace: str, event: str, payload: Any) -> str:
    """The Socket.IO EVENT packet text, built once per emit (no acks, no binary)."""
    body = _json.encode([event, payload]).decode()
    return "2" + body if namespace == "/" else f"2{namespace},{body}"


def node_message(namespace: str, best_effort: bool, user_ids: Iterable[str], packet: str) -> str:
    """What a node channel carries: a three-line header the receiver splits cheaply."""
    return f"{namespace}\n{int(best_effort)}\n{','.join(user_ids)}\n{packet}"


def parse_node_message(data: str) -> tuple[str, bool, list[str], str]:
    namespace, best_effort, users, packet = data.split("\n", 3)
    return namespace, best_effort == "1", users.split(","), packet


def split_node_messages(data: str) -> list[str]:
    """The node messages one publish carries, in the order they were emitted."""
    return data.split(NODE_MESSAGE_SEPARATOR)


@dataclass
class FanoutStats:
    published: int = 0
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
        self._route = self.redis.register_script(ROUTE)
        self._presence_set = self.redis.register_script(PRESENCE_SET)
        self._online = self.redis.register_script(ONLINE)
        self._sweep = self.redis.register_script(SWEEP)
        self.queue: asyncio.Queue[tuple[bool, str, Any, Any]] = asyncio.Queue(queue_size)
        self.stats = FanoutStats()
        self._tasks: list[asyncio.Task] = []
        self._publisher: asyncio.Task | None = None

    def user_key(self, user_id: str) -> str:
        return f"{self.prefix}:u:{user_id}"

    # publishing ---------------------------------------------------------------------------
    def _ensure_publisher(self) -> None:
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.create_task(self._publish_loop(), name="fanout-publisher")

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
        message = node_message(namespace, best_effort, user_ids, packet)
        await self._enqueue((best_effort, "route", user_ids, message))

    async def broadcast(self, message: dict, *, best_effort: bool = False) -> None:
        message["origin"] = self.node_id
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
        """One ROUTE call for a run of consecutive emits (see ROUTE)."""
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
            self._route.sha = await self.redis.script_load(ROUTE)
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
                    channel = message["channel"].decode()
                    data = message["data"].decode()
                    try:
                        if channel == self.node_channel:
                            await on_node(data)
                        else:
                            control = _unjson.decode(data)
                            if control.get("origin") != self.node_id:
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


class RedisEmitter:
    """``server.events.Events`` for processes without sockets (the worker, scripts):
    publishes through the same bounded bus, never subscribes, closes cleanly."""

    def __init__(self, url: str, prefix: str):
        self.bus = RedisBus(url, prefix, node_id="emitter-" + uuid.uuid4().hex[:8], pool_size=2)

    async def to_users(
        self,
        user_ids: Iterable[uuid.UUID],
        namespace: str,
        event: str,
        payload: Any,
        *,
        best_effort: bool = False,
    ) -> None:
        users = sorted({str(u) for u in user_ids})
        if users:
            packet = encode_event(namespace, event, payload)
            await self.bus.route(namespace, users, packet, best_effort=best_effort)

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        try:
            found = await self.bus.online(sorted({str(u) for u in user_ids}))
        except Exception as exc:  # presence is best-effort: unknown reads as offline
            log.warning("presence read failed (%s)", exc)
            return set()
        return {uuid.UUID(u) for u in found}

    async def disconnect_session(self, session_id: uuid.UUID) -> None:
        await self.bus.broadcast({"op": "disconnect", "room": session_room(session_id)})

    async def disconnect_user(self, user_id: uuid.UUID) -> None:
        await self.bus.broadcast({"op": "disconnect", "room": user_room(user_id)})

    async def close(self) -> None:
        await self.bus.close()
