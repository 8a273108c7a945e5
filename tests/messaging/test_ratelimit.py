"""The send rate limit's Redis bucket, leased in blocks: fewer round trips, and never more
sends than the shared bucket allows, whichever instances they go through."""

from __future__ import annotations

import uuid

from server.messaging.ratelimit import RedisSendLimiter


async def test_leased_tokens_never_exceed_the_shared_bucket(redis_server_url, redis_prefix):
    a = RedisSendLimiter(redis_server_url, redis_prefix, burst=30, rate=10)
    b = RedisSendLimiter(redis_server_url, redis_prefix, burst=30, rate=10)
    user = uuid.uuid4()
    try:
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
    finally:
        await a.close()
        await b.close()


async def test_a_slowly_refilled_bucket_is_counted_exactly_across_instances(
    redis_server_url, redis_prefix
):
    a = RedisSendLimiter(redis_server_url, redis_prefix, burst=5, rate=0.01)
    b = RedisSendLimiter(redis_server_url, redis_prefix, burst=5, rate=0.01)
    user = uuid.uuid4()
    try:
        assert a.lease == 1  # no lease ahead: every token is taken from Redis when spent
        assert [await a.take(user) for _ in range(3)] == [True] * 3
        assert [await b.take(user) for _ in range(3)] == [True, True, False]
        assert await a.take(user) is False
    finally:
        await a.close()
        await b.close()
