"""What a node's Redis subscription does with messages it cannot read: a real RedisBus
listening on a real Redis, fed by a plain Redis client publishing on its channels."""

from __future__ import annotations

import math

import redis.asyncio as aioredis

from server.metrics.families import Metrics
from server.realtime.bus import RedisBus
from server.realtime.packets import node_message
from tests.waits import eventually

NS = "/notifications"
PACKET = '2/notifications,["ping",{}]'


async def test_unreadable_messages_are_skipped_without_dropping_the_subscription(
    redis_server_url, redis_prefix
):
    metrics = Metrics()
    bus = RedisBus(redis_server_url, redis_prefix, metrics=metrics)
    publisher = aioredis.Redis.from_url(redis_server_url)
    delivered: list[str] = []
    resubscribed: list[None] = []

    async def on_node(data: str) -> None:
        delivered.append(data)

    async def on_all(control: dict) -> None:
        pass

    async def on_resubscribed() -> None:
        resubscribed.append(None)

    bus.start(bus.listen(on_node, on_all, on_resubscribed))
    try:

        async def subscribed() -> bool:
            counts = dict(await publisher.pubsub_numsub(bus.node_channel))
            return counts.get(bus.node_channel.encode(), 0) == 1

        await eventually(subscribed, what="the bus subscribes to its node channel")
        # Not UTF-8; publish stamps no float can take as a time (an instance with a broken
        # clock, or anyone who can publish on Redis).
        await publisher.publish(bus.node_channel, b"\xff\xfe not text")
        for stamp in ("-inf", "inf", "nan", "-1e999"):
            await publisher.publish(bus.node_channel, f"{NS}\n1@{stamp}\nu1\n{PACKET}")
        good = node_message(NS, False, ["u1"], PACKET)
        await publisher.publish(bus.node_channel, good)
        await eventually(lambda: good in delivered, what="the readable message is delivered")
    finally:
        await bus.close()
        await publisher.aclose()
    # One bad message is skipped, not taken for a lost subscription: no re-subscribe, and
    # so no "you may have missed events" sent to every socket of the node.
    assert bus.stats.resubscribes == 0
    assert resubscribed == []
    # The lag histogram keeps a finite sum: a bad stamp is not a measurement.
    lag_sum = metrics.registry.get_sample_value("rizeos_bus_lag_seconds_sum")
    assert math.isfinite(lag_sum), lag_sum
