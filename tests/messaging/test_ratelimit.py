"""The send rate limit's Redis bucket, leased in blocks: fewer round trips, and never more
sends than the shared bucket allows, whichever instances they go through. It borrows the
fan-out bus's client, so a process keeps one bounded Redis pool."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from server.app import create_app
from server.messaging.ratelimit import SEND_LIMITER
from server.ratelimit import RedisTokenBucket, TokenBucket
from server.realtime.bus import RedisBus
from server.realtime.server import redis_bus

Instance = Callable[..., RedisTokenBucket]


@pytest.fixture
async def instance(redis_server_url, redis_prefix) -> AsyncIterator[Instance]:
    """A limiter as one instance has it: on that instance's own fan-out bus."""
    buses: list[RedisBus] = []

    def limiter(burst: int, rate: float) -> RedisTokenBucket:
        bus = RedisBus(redis_server_url, redis_prefix)
        buses.append(bus)
        return RedisTokenBucket(bus.redis, bus.prefix, burst, rate, "send", "too many")

    yield limiter
    for bus in buses:
        await bus.close()


async def test_leased_tokens_never_exceed_the_shared_bucket(instance):
    a, b = instance(burst=30, rate=10), instance(burst=30, rate=10)
    user = uuid.uuid4()
    assert a.lease == 5
    assert await a.take(user)  # leases 5 tokens, spends 1
    taken_on_b = 0
    while await b.take(user):
        taken_on_b += 1
        assert taken_on_b <= 30
    # b got the bucket less a's lease (plus a token or two refilled meanwhile) ...
    assert 25 <= taken_on_b <= 27
    # ... and a spends the rest of its lease without asking Redis.
    assert [await a.take(user) for _ in range(4)] == [True] * 4


async def test_a_slowly_refilled_bucket_is_counted_exactly_across_instances(instance):
    a, b = instance(burst=5, rate=0.01), instance(burst=5, rate=0.01)
    user = uuid.uuid4()
    assert a.lease == 1  # no lease ahead: every token is taken from Redis when spent
    assert [await a.take(user) for _ in range(3)] == [True] * 3
    assert [await b.take(user) for _ in range(3)] == [True, True, False]
    assert await a.take(user) is False


async def test_the_limiter_uses_the_fan_out_bus_client(settings, redis_server_url, redis_prefix):
    app = create_app(
        dataclasses.replace(settings, redis_url=redis_server_url, redis_prefix=redis_prefix)
    )
    bus = redis_bus(app)
    limiter = app[SEND_LIMITER]
    try:
        assert isinstance(limiter, RedisTokenBucket)
        assert limiter.redis is bus.redis
        assert await limiter.take(uuid.uuid4())
        # The bucket script ran on a connection of the bus's pool, named after its node.
        assert await limiter.redis.client_getname() == f"{redis_prefix}:{bus.node_id}"
    finally:
        await bus.close()


def test_without_redis_the_limit_is_kept_in_process(settings):
    app = create_app(settings)
    assert redis_bus(app) is None
    assert type(app[SEND_LIMITER]) is TokenBucket


async def test_an_empty_bucket_says_how_long_to_wait(instance):
    """What a 429's Retry-After comes from (server/auth/attempts.py): the Redis clock's wait
    for the next token, the same on every instance."""
    a, b = instance(burst=2, rate=0.1), instance(burst=2, rate=0.1)
    key = "account:someone@example.com"
    assert [await a.wait(key), await b.wait(key)] == [0.0, 0.0]
    wait = await a.wait(key)
    assert 9.0 < wait <= 10.0  # one token every 10 s, and the bucket just emptied
    assert 0 < await b.wait(key) <= wait
