"""Fan-out across instances: targeted routing, revocation, presence, and the failure modes
(overload, Redis outage, slow consumers). Real server processes, real Redis."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import redis.asyncio as aioredis

from server.realtime.bus import POOL_SIZE, QUEUE_SIZE, RedisBus
from server.realtime.emitter import RedisEmitter
from server.realtime.packets import split_node_messages
from tests.processes import ServerProcess
from tests.realtime.conftest import Inbox, StalledWebSocket, client_connections
from tests.sockets import connect_socket
from tests.waits import eventually

NS = "/notifications"


async def drain(redis: aioredis.Redis, pubsub: aioredis.client.PubSub, channel: str) -> list[dict]:
    """Every message ``pubsub`` has been sent so far; call it once what the test expects
    has been handed to Redis (``emitter.bus.flush``). Redis delivers to a subscriber in
    publish order, so a marker published now on ``channel`` (one ``pubsub`` listens to)
    comes after all of it: an unexpected extra publish shows, with no wait for quiet."""
    marker = f"drained-{uuid.uuid4().hex}".encode()
    await redis.publish(channel, marker)
    got: list[dict] = []
    async with asyncio.timeout(20):
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None:
                continue
            if message["data"] == marker:
                return got
            got.append(message)


async def log_out(url: str, token: str) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + "/api/auth/logout", headers={"Authorization": f"Bearer {token}"}) as r,
    ):
        assert r.status == 204, await r.text()


async def test_logging_out_on_one_instance_disconnects_the_session_socket_on_another(
    api, two_servers
):
    a, b = two_servers
    user = await api.sign_up()
    other_session = await api.post(
        "/api/auth/login", {"email": user.email, "password": "correct horse battery"}
    )
    doomed = await connect_socket(b.url, user.token, [NS])
    kept = await connect_socket(b.url, other_session["token"], [NS])
    doomed_inbox = Inbox(doomed, NS)
    try:
        await log_out(a.url, user.token)
        await asyncio.wait_for(doomed_inbox.disconnected.wait(), 20)
        await eventually(lambda: not doomed.connected, what="the revoked socket closes")
        assert kept.connected
    finally:
        await doomed.disconnect()
        await kept.disconnect()


async def test_an_emit_reaches_only_the_instance_holding_the_recipient(
    api, two_servers, emitter, redis, redis_prefix
):
    a, b = two_servers
    alice, bob = await api.sign_up(), await api.sign_up()
    on_a = await connect_socket(a.url, alice.token, [NS])
    on_b = await connect_socket(b.url, bob.token, [NS])
    inbox_a, inbox_b = Inbox(on_a, NS, "ping"), Inbox(on_b, NS, "ping")
    watcher = redis.pubsub()
    await watcher.psubscribe(f"{redis_prefix}:node:*")
    try:
        nodes = await redis.pubsub_channels(f"{redis_prefix}:node:*")
        assert len(nodes) == 2
        await emitter.to_users([alice.id], NS, "ping", {"n": 1})
        await emitter.to_users([uuid.uuid4()], NS, "ping", {"n": 2})  # nobody is connected
        await emitter.to_users([alice.id], NS, "ping", {"n": 3})
        await eventually(lambda: len(inbox_a.got["ping"]) == 2, what="alice gets both")
        assert inbox_a.got["ping"] == [{"n": 1}, {"n": 3}]
        await emitter.bus.flush()
        seen = await drain(redis, watcher, f"{redis_prefix}:node:marker")
        # Published to alice's node only (emits queued together share one publish); the
        # emit to nobody is in none of them.
        assert len({m["channel"] for m in seen}) == 1
        carried = [p for m in seen for p in split_node_messages(m["data"].decode())]
        assert len(carried) == 2 and all('"n":2' not in p for p in carried)
        assert inbox_b.got["ping"] == []
    finally:
        await watcher.aclose()
        await on_a.disconnect()
        await on_b.disconnect()


async def test_a_burst_of_emits_keeps_redis_connections_bounded_and_sheds_best_effort_first(
    redis_server_url, redis, redis_prefix
):
    """The stock manager opened a new Redis client per 'Too many connections' error."""
    emitter = RedisEmitter(redis_server_url, redis_prefix)
    recipient = uuid.uuid4()
    # A stand-in node that holds the recipient, so every emit is really published.
    await redis.hset(f"{redis_prefix}:u:{recipient}", "fake", 1)
    receiver = redis.pubsub()
    await receiver.subscribe(f"{redis_prefix}:node:fake")
    name = f"{redis_prefix}:{emitter.bus.node_id}"
    peak = 0

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, await client_connections(redis, name))
            await asyncio.sleep(0.01)  # the sampling period: a measurement, not a wait

    sampler = asyncio.create_task(sample())
    try:
        burst = 20_000
        await asyncio.gather(
            *(
                emitter.to_users(
                    [recipient],
                    NS,
                    "typing" if i % 2 else "message",
                    {"i": i},
                    best_effort=bool(i % 2),
                )
                for i in range(burst)
            )
        )
        await emitter.bus.flush(30)
        stats = emitter.bus.stats
        assert stats.dropped_best_effort > 0
        assert stats.dropped_reliable <= stats.dropped_best_effort
        assert stats.published + stats.dropped_best_effort + stats.dropped_reliable == burst
        assert emitter.bus.queue.qsize() == 0 and emitter.bus.queue.maxsize == QUEUE_SIZE
        # Every published emit arrives (runs of them share a publish; see ROUTE).
        carried = [
            p
            for m in await drain(redis, receiver, f"{redis_prefix}:node:fake")
            for p in split_node_messages(m["data"].decode())
        ]
        assert len(carried) == stats.published
        # One sample now, after the burst, whatever the sampler caught while it ran (a burst
        # on a loaded box can end between two of its samples): the pool keeps its connections.
        peak = max(peak, await client_connections(redis, name))
        assert 0 < peak <= 2  # the emitter's pool size, whatever the load
    finally:
        sampler.cancel()
        await receiver.aclose()
        await emitter.close()
    assert await client_connections(redis, name) == 0


async def test_a_redis_outage_loses_no_connections_and_clients_are_told_to_resync(
    api, database_url, private_redis, redis_prefix
):
    server = await ServerProcess(database_url, private_redis.url, redis_prefix).start()
    user = await api.sign_up()
    sock = await connect_socket(server.url, user.token, [NS])
    inbox = Inbox(sock, NS, "ping", "resync")
    try:
        emitter = RedisEmitter(private_redis.url, redis_prefix)
        await emitter.to_users([user.id], NS, "ping", {"n": 1})
        await eventually(lambda: inbox.got["ping"] == [{"n": 1}], what="baseline delivery")

        private_redis.stop()
        # While Redis is down the server keeps serving; its emits fail, back off, and drop.
        await log_out(
            server.url,
            (
                await api.post(
                    "/api/auth/login", {"email": user.email, "password": "correct horse battery"}
                )
            )["token"],
        )
        # Redis comes back once the server has felt the outage on both of its paths.
        await server.logged(r"redis subscription lost", within=30)
        await server.logged(r"dropped \d+ live events after retries", within=30)
        private_redis.start()  # empty: every presence record was lost with it

        await eventually(lambda: inbox.got["resync"], within=30, what="resync after the outage")
        await eventually(
            lambda: emitter.online([user.id]), within=30, what="presence written again"
        )
        check = aioredis.Redis.from_url(private_redis.url)
        try:
            # Once re-subscribed (which also tells clients to resync), delivery resumes.
            await eventually(
                lambda: check.pubsub_channels(f"{redis_prefix}:node:*"), what="re-subscribed"
            )
            await emitter.to_users([user.id], NS, "ping", {"n": 2})
            await eventually(lambda: {"n": 2} in inbox.got["ping"], what="delivery after restart")
            assert await client_connections(check, redis_prefix) <= POOL_SIZE + 2
        finally:
            await check.aclose()
        assert sock.connected
        await emitter.close()
    finally:
        await sock.disconnect()
        await server.stop()
    assert server.proc is not None and server.proc.returncode == 0


async def test_a_slow_consumer_is_cut_off_while_a_normal_client_keeps_receiving(
    api, two_servers, emitter
):
    a, _ = two_servers
    user = await api.sign_up()
    stalled = StalledWebSocket(a.url, user.token, NS)
    await asyncio.to_thread(stalled.connect)
    normal = await connect_socket(a.url, user.token, [NS])
    inbox = Inbox(normal, NS, "bulk")
    try:
        blob = "x" * 8192
        sent = 0
        # Paced by the normal client, so the instance's own Redis subscription never lags:
        # only the stalled socket falls behind.
        for _ in range(25):
            for _ in range(200):
                await emitter.to_users([user.id], NS, "bulk", {"n": sent, "blob": blob})
                sent += 1
            await eventually(
                lambda lagging=sent - 50: len(inbox.got["bulk"]) >= lagging, what="normal keeps up"
            )
        total = sent
        await eventually(lambda: len(inbox.got["bulk"]) == total, what="normal gets everything")
        assert [e["n"] for e in inbox.got["bulk"]] == list(range(sent))
        assert await asyncio.to_thread(stalled.was_cut_off)
        assert normal.connected
    finally:
        stalled.close()
        await normal.disconnect()


async def test_presence_counts_sockets_on_every_instance_and_forgets_a_crashed_one(
    api, two_servers, emitter, redis, redis_prefix
):
    a, b = two_servers
    user, stranger = await api.sign_up(), await api.sign_up()
    on_a = await connect_socket(a.url, user.token, [NS, "/chat"])
    on_b = await connect_socket(b.url, user.token, [NS])
    try:
        assert await emitter.online([user.id, stranger.id]) == {user.id}
        await on_a.disconnect()
        assert await emitter.online([user.id]) == {user.id}
        await b.kill()
        # B cannot say goodbye; its heartbeat lapses and the user is offline everywhere.
        await eventually(
            lambda: _offline(emitter, user.id), within=40, what="crashed node forgotten"
        )
        await eventually(
            lambda: _gone(redis, f"{redis_prefix}:u:{user.id}"), within=40, what="swept by A"
        )
    finally:
        await on_a.disconnect()
        await on_b.disconnect()


async def _offline(emitter: RedisEmitter, user_id: uuid.UUID) -> bool:
    return not await emitter.online([user_id])


async def _gone(redis: aioredis.Redis, key: str) -> bool:
    return not await redis.exists(key)


async def test_a_bus_keeps_one_client_for_its_lifetime(redis_server_url, redis_prefix):
    bus = RedisBus(redis_server_url, redis_prefix)
    client = bus.redis
    await bus.heartbeat()
    await bus.route(NS, [str(uuid.uuid4())], "2/notifications,[]", best_effort=False)
    await bus.flush()
    assert bus.redis is client and bus.stats.published == 1
    await bus.close()


async def test_a_run_of_emits_travels_as_one_publish_per_node_and_arrives_in_order(
    api, two_servers, emitter, redis, redis_prefix
):
    a, b = two_servers
    alice, bob, carol = await api.sign_up(), await api.sign_up(), await api.sign_up()
    on_a = await connect_socket(a.url, alice.token, [NS])
    on_b = await connect_socket(b.url, bob.token, [NS])
    inboxes = {"alice": Inbox(on_a, NS, "ping"), "bob": Inbox(on_b, NS, "ping")}
    watcher = redis.pubsub()
    await watcher.psubscribe(f"{redis_prefix}:node:*")
    try:
        # Queued in one event-loop turn: the publisher takes them as one run.
        emits = [
            emitter.to_users(users, NS, "ping", {"n": n})
            for n, users in enumerate(
                [[alice.id], [bob.id], [alice.id, bob.id], [carol.id], [bob.id]] * 10
            )
        ]
        await asyncio.gather(*emits)
        got = {name: inbox.got["ping"] for name, inbox in inboxes.items()}
        await eventually(
            lambda: len(got["alice"]) == 20 and len(got["bob"]) == 30,
            what="every emit reaches its recipients",
        )
        # Each in emit order, each exactly once; carol (not connected) costs no publish.
        assert [p["n"] for p in inboxes["alice"].got["ping"]] == [
            n for n in range(50) if n % 5 in (0, 2)
        ]
        assert [p["n"] for p in inboxes["bob"].got["ping"]] == [
            n for n in range(50) if n % 5 in (1, 2, 4)
        ]
        await emitter.bus.flush()
        seen = await drain(redis, watcher, f"{redis_prefix}:node:marker")
        assert len({m["channel"] for m in seen}) == 2
        assert len(seen) < 10, f"{len(seen)} publishes for 50 emits to two nodes"
        carried = sum(len(split_node_messages(m["data"].decode())) for m in seen)
        assert carried == 20 + 30  # an emit to alice and bob: once to each one's node
    finally:
        await watcher.aclose()
        await on_a.disconnect()
        await on_b.disconnect()
