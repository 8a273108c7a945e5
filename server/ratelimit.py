"""Token buckets: rate limits shared by every instance through Redis.

A bucket holds ``burst`` tokens and refills at ``rate`` a second; an action with the bucket
empty is refused (``RateLimited``: 429 with ``Retry-After`` over REST, ``rate_limited`` on
the socket). Each key (a user, an IP address, an account's email) has a bucket of its own.
With ``settings.redis_url`` the buckets live in Redis, updated by one Lua script (atomic, and
timed by the Redis clock so instances with skewed clocks agree); without Redis they live in
this process, which is right for the single instance that setup runs.

Users: chat sends and searches (server/messaging/ratelimit.py), password checks
(server/auth/attempts.py).

With Redis, an instance does not ask for one token per action: it takes a *lease* of up to
``lease`` tokens at once (fewer if the bucket holds fewer) and spends them locally, so
only one action in ``lease`` costs a Redis round trip. Every action still spends a token taken
from the shared bucket, so no key ever gets more than the limit across all instances;
the price is that tokens leased by one instance and not used within ``LEASE_TTL_S`` are
forfeited, so a user moving between instances may be refused up to ``lease - 1`` actions
early. ``lease`` is a quarter of the burst at most and half a second of refill, so with
the chat's 30 / 10 per second it is 5, and with a tiny or slow bucket it is 1 (exact).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Hashable

import redis.asyncio as aioredis
from aiohttp import web
from redis.exceptions import RedisError

from server import keys
from server.errors import RateLimited
from server.metrics.families import UNCOUNTED
from server.realtime.server import redis_bus

log = logging.getLogger("rizeos.ratelimit")

# Tokens one Redis round trip may lease, at most; and how long unused leased tokens last.
MAX_LEASE = 64
LEASE_TTL_S = 1.0

# KEYS[1]: the bucket. ARGV: burst, refill per second, tokens wanted. Returns the number of
# tokens taken (as many as wanted, or as many whole tokens as the bucket holds) and, when
# none was, the milliseconds until the next one.
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
local wait = 0
if taken == 0 then wait = math.ceil((1 - tokens) * 1000 / rate) end
return {taken, wait}
"""


class TokenBucket:
    """In-process buckets (one instance). ``bucket`` names what is counted ("send",
    "search", "password_ip"); ``refusal`` is what a refused caller reads (``{retry}`` in it
    becomes "12 seconds", the wait)."""

    def __init__(self, burst: int, rate: float, bucket: str, refusal: str):
        self.burst = burst
        self.rate = rate
        self.bucket = bucket
        self.refusal = refusal
        # Where a refusal is counted: the app's rate_limit_refusals{limit=bucket} once
        # ``token_bucket`` has made it for an app.
        self.refusals = UNCOUNTED.rate_limit_refusals.labels(bucket)
        self._buckets: dict[Hashable, tuple[float, float]] = {}

    async def wait(self, key: Hashable) -> float:
        """Take a token for ``key``: 0 when one was taken, else the seconds until one will
        be there (nothing is taken then)."""
        now = time.monotonic()
        tokens, ts = self._buckets.get(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - ts) * self.rate)
        taken = tokens >= 1
        self._buckets[key] = (tokens - 1 if taken else tokens, now)
        if len(self._buckets) > 10_000:
            self._forget_full(now)
        return 0.0 if taken else (1 - tokens) / self.rate

    async def take(self, key: Hashable) -> bool:
        return await self.wait(key) == 0

    async def check(self, key: Hashable) -> None:
        """Take a token or raise ``RateLimited`` saying when to retry."""
        wait = await self.wait(key)
        if wait:
            self.refusals.inc()
            seconds = max(1, math.ceil(wait))
            retry = f"{seconds} second{'s' if seconds != 1 else ''}"
            raise RateLimited(self.refusal.replace("{retry}", retry), retry_after=seconds)

    def _forget_full(self, now: float) -> None:
        """A full bucket is the same as no bucket; dropping them bounds the memory."""
        full_after = self.burst / self.rate
        self._buckets = {
            key: state for key, state in self._buckets.items() if now - state[1] < full_after
        }


class RedisTokenBucket(TokenBucket):
    """Buckets in Redis, so a key's actions count the same on every instance.

    ``redis`` is borrowed, not owned: in the app it is the fan-out bus's client, so the
    process keeps one bounded Redis pool (server/fanout.py) and the bus closes it."""

    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str,
        burst: int,
        rate: float,
        bucket: str,
        refusal: str,
    ):
        super().__init__(burst, rate, bucket, refusal)
        self.redis = redis
        self.prefix = prefix
        self._script = self.redis.register_script(_BUCKET_SCRIPT)
        self.lease = max(1, min(MAX_LEASE, burst // 4, int(rate * 0.5)))
        # key -> (tokens leased and not spent yet, when they lapse)
        self._leased: dict[Hashable, tuple[int, float]] = {}

    async def wait(self, key: Hashable) -> float:
        now = time.monotonic()
        left, until = self._leased.get(key, (0, 0.0))
        if left > 0 and now < until:
            self._leased[key] = (left - 1, until)
            return 0.0
        try:
            taken, wait_ms = await self._script(
                keys=[f"{self.prefix}:ratelimit:{self.bucket}:{key}"],
                args=[self.burst, self.rate, self.lease],
            )
        except RedisError:
            # The limit protects the service; it is not worth refusing everything while
            # Redis is away. Fail open, loudly.
            log.warning(
                "%s rate limit unavailable (Redis error); allowing", self.bucket, exc_info=True
            )
            return 0.0
        taken = int(taken)
        if taken > 1:
            self._leased[key] = (taken - 1, time.monotonic() + LEASE_TTL_S)
            if len(self._leased) > 10_000:
                self._leased = {k: v for k, v in self._leased.items() if v[1] > now}
        else:
            self._leased.pop(key, None)
        return 0.0 if taken > 0 else int(wait_ms) / 1000


def token_bucket(
    app: web.Application, burst: int, rate: float, bucket: str, refusal: str
) -> TokenBucket:
    """A bucket for the app: in Redis when there is a fan-out bus (on the bus's client: one
    bounded pool per process, closed with the bus), else in this process."""
    bus = redis_bus(app)
    if bus is not None:
        limiter = RedisTokenBucket(bus.redis, bus.prefix, burst, rate, bucket, refusal)
    else:
        limiter = TokenBucket(burst, rate, bucket, refusal)
    limiter.refusals = app[keys.METRICS].rate_limit_refusals.labels(bucket)
    return limiter
