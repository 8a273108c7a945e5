"""Per-user send rate limit: a token bucket, shared by every instance through Redis.

Each user has a bucket of ``BURST`` sends that refills at ``RATE_PER_SECOND``; a send
with the bucket empty is refused (``RateLimited``: 429 over REST, ``rate_limited`` on the
socket). With ``settings.redis_url`` the bucket lives in Redis, updated by one Lua script
(atomic, and timed by the Redis clock so instances with skewed clocks agree); without
Redis it lives in this process, which is right for the single instance that setup runs.

With Redis, an instance does not ask for one token per send: it takes a *lease* of up to
``lease`` tokens at once (fewer if the bucket holds fewer) and spends them locally, so
only one send in ``lease`` costs a Redis round trip. Every send still spends a token taken
from the shared bucket, so no user ever gets more than the limit across all instances;
the price is that tokens leased by one instance and not used within ``LEASE_TTL_S`` are
forfeited, so a user moving between instances may be refused up to ``lease - 1`` sends
early. ``lease`` is a quarter of the burst at most and half a second of refill, so with
the default 30 / 10 per second it is 5, and with a tiny bucket it is 1 (exact).
"""

from __future__ import annotations

import logging
import time
import uuid

import redis.asyncio as aioredis
from aiohttp import web
from redis.exceptions import RedisError

from server import keys
from server.config import Settings
from server.errors import RateLimited
from server.realtime.server import redis_bus

log = logging.getLogger("rizeos.messaging.ratelimit")

# A person typing fast sends a few messages a second; a burst covers pasting a list.
BURST = 30
RATE_PER_SECOND = 10.0

# Searches (message search, the people picker) have a bucket of their own: a search costs
# about what a send does, and typing into a search box must not use up a user's sends.
SEARCH_BURST = 20
SEARCH_RATE_PER_SECOND = 2.0

# Tokens one Redis round trip may lease, at most; and how long unused leased tokens last.
MAX_LEASE = 64
LEASE_TTL_S = 1.0

# KEYS[1]: the bucket. ARGV: burst, refill per second, tokens wanted. Returns the number of
# tokens taken: as many as wanted, or as many whole tokens as the bucket holds.
_BUCKET_SCRIPT = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local taken = math.min(wanted, math.floor(tokens))
if taken < 0 then taken = 0 end
tokens = tokens - taken
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return taken
"""


class SendLimiter:
    """In-process buckets (one instance). ``bucket`` names what is counted ("send", or
    "search" for the search limiter)."""

    def __init__(self, burst: int = BURST, rate: float = RATE_PER_SECOND, bucket: str = "send"):
        self.burst = burst
        self.rate = rate
        self.bucket = bucket
        self._buckets: dict[uuid.UUID, tuple[float, float]] = {}

    async def take(self, user_id: uuid.UUID) -> bool:
        now = time.monotonic()
        tokens, ts = self._buckets.get(user_id, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - ts) * self.rate)
        taken = tokens >= 1
        self._buckets[user_id] = (tokens - 1 if taken else tokens, now)
        if len(self._buckets) > 10_000:
            self._forget_full(now)
        return taken

    async def check(self, user_id: uuid.UUID) -> None:
        if not await self.take(user_id):
            what = "messages" if self.bucket == "send" else f"{self.bucket}es"
            raise RateLimited(
                f"too many {what}: at most {self.burst} at once and "
                f"{self.rate:g} a second after that; wait a moment and retry"
            )

    def _forget_full(self, now: float) -> None:
        """A full bucket is the same as no bucket; dropping them bounds the memory."""
        full_after = self.burst / self.rate
        self._buckets = {
            user: state for user, state in self._buckets.items() if now - state[1] < full_after
        }


class RedisSendLimiter(SendLimiter):
    """Buckets in Redis, so a user's sends count the same on every instance.

    ``redis`` is borrowed, not owned: in the app it is the fan-out bus's client, so the
    process keeps one bounded Redis pool (server/fanout.py) and the bus closes it."""

    def __init__(
        self, redis: aioredis.Redis, prefix: str, burst: int, rate: float, bucket: str = "send"
    ):
        super().__init__(burst, rate, bucket)
        self.redis = redis
        self.prefix = prefix
        self._script = self.redis.register_script(_BUCKET_SCRIPT)
        self.lease = max(1, min(MAX_LEASE, burst // 4, int(rate * 0.5)))
        # user -> (tokens leased and not spent yet, when they lapse)
        self._leased: dict[uuid.UUID, tuple[int, float]] = {}

    async def take(self, user_id: uuid.UUID) -> bool:
        now = time.monotonic()
        left, until = self._leased.get(user_id, (0, 0.0))
        if left > 0 and now < until:
            self._leased[user_id] = (left - 1, until)
            return True
        try:
            taken = int(
                await self._script(
                    keys=[f"{self.prefix}:ratelimit:{self.bucket}:{user_id}"],
                    args=[self.burst, self.rate, self.lease],
                )
            )
        except RedisError:
            # The limit protects the service; it is not worth refusing every message while
            # Redis is away. Fail open, loudly.
            log.warning("send rate limit unavailable (Redis error); allowing", exc_info=True)
            return True
        if taken > 1:
            self._leased[user_id] = (taken - 1, time.monotonic() + LEASE_TTL_S)
            if len(self._leased) > 10_000:
                self._leased = {u: v for u, v in self._leased.items() if v[1] > now}
        else:
            self._leased.pop(user_id, None)
        return taken > 0


SEND_LIMITER: web.AppKey[SendLimiter] = web.AppKey("messaging_send_limiter", SendLimiter)
SEARCH_LIMITER: web.AppKey[SendLimiter] = web.AppKey("messaging_search_limiter", SendLimiter)


def install_send_limiter(app: web.Application) -> None:
    """Put the send and search limiters on the app (the chat namespace installs them). With
    Redis they use the fan-out bus's client: one bounded pool per process, closed with the
    bus."""
    settings: Settings = app[keys.SETTINGS]
    bus = redis_bus(app)

    def limiter(burst: int, rate: float, bucket: str) -> SendLimiter:
        if bus is not None:
            return RedisSendLimiter(bus.redis, bus.prefix, burst, rate, bucket)
        return SendLimiter(burst, rate, bucket)

    app[SEND_LIMITER] = limiter(settings.send_burst, settings.send_rate_per_second, "send")
    app[SEARCH_LIMITER] = limiter(SEARCH_BURST, SEARCH_RATE_PER_SECOND, "search")
