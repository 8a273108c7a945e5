"""A load-generator process for bench/fanout.py: holds Socket.IO clients, sends, measures.

The parent starts a few of these (``multiprocessing`` spawn) so that one Python process
decoding every delivery does not become the bottleneck it is measuring. Protocol over a
pipe: ``("connect", spec)`` → ``{"connected": n}``; ``("run", trial)`` → results;
``("stop", None)`` → disconnect and exit. Every trial tags its messages, so a late delivery
from an earlier trial never counts in a later one.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import socketio

NAMESPACE = "/chat"
# Connecting hundreds of sockets at once makes the servers' accept path the bottleneck
# and times some out; a few at a time connects them all quickly.
CONNECT_CONCURRENCY = 20
# The change mix (RizeOS only): each change edits or reacts to one of the sender's last
# few messages of the trial.
RECENT_OWN = 8
REACTION = "👍"


@dataclass
class Trial:
    tag: str
    received: int = 0
    latencies_ms: list[float] = field(default_factory=list)


@dataclass
class Client:
    key: str
    sio: socketio.AsyncClient


class Generator:
    def __init__(self, index: int):
        self.index = index
        self.clients: dict[str, Client] = {}
        self.senders: list[dict[str, Any]] = []
        self.trial: Trial | None = None

    def on_message(self, receiver: str, payload: Any) -> None:
        # RizeOS sends the stored message (maybe wrapped); the bare relay a similar dict.
        message = payload.get("message", payload) if isinstance(payload, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or not content.startswith("b|"):
            return
        now = time.time()
        _, tag, sent_at, sender, _ = content.split("|", 4)
        trial = self.trial
        # RizeOS also sends a message back to its sender (their other devices); the bare
        # relay does not. Only deliveries to other participants count, on both.
        if trial is None or tag != trial.tag or sender == receiver:
            return
        trial.received += 1
        trial.latencies_ms.append((now - float(sent_at)) * 1000.0)

    def on_changed(self, receiver: str, payload: Any) -> None:
        """An edit carries a fresh "b|..." content with its own send time, so it is timed
        like a message; a reaction carries no time of its own: it is counted (a lost one
        fails the step) but not timed."""
        if not isinstance(payload, dict) or payload.get("change") == "edited":
            self.on_message(receiver, payload)
            return
        message = payload.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or not content.startswith("b|"):
            return
        _, tag, _, sender, _ = content.split("|", 4)
        trial = self.trial
        if trial is not None and tag == trial.tag and sender != receiver:
            trial.received += 1

    async def connect(self, spec: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(client_spec: dict[str, Any]) -> None:
            sio = socketio.AsyncClient(reconnection=False)
            key = client_spec["key"]
            sio.on("message", lambda payload: self.on_message(key, payload), namespace=NAMESPACE)
            sio.on(
                "message_changed",
                lambda payload: self.on_changed(key, payload),
                namespace=NAMESPACE,
            )
            async with gate:
                await sio.connect(
                    client_spec["url"],
                    auth=client_spec["auth"],
                    transports=["websocket"],
                    namespaces=[NAMESPACE],
                    wait_timeout=30,
                )
            self.clients[client_spec["key"]] = Client(client_spec["key"], sio)

        await asyncio.gather(*(one(c) for c in spec["clients"]))
        self.senders = spec["senders"]
        return {"connected": len(self.clients), "connect_s": time.monotonic() - started}

    async def run(self, trial_spec: dict[str, Any]) -> dict[str, Any]:
        """Send at ``rate`` for ``seconds`` round-robin over this process's senders, then
        wait up to ``drain`` seconds for the deliveries still in flight.

        ``change_ratio`` (RizeOS only): that share of the events are changes instead of
        sends, alternately an edit and a reaction toggled on or off, each of one of the
        sender's own recent messages of this trial (a sender with none yet sends)."""
        tag, rate, seconds = trial_spec["tag"], trial_spec["rate"], trial_spec["seconds"]
        change_ratio = trial_spec.get("change_ratio", 0.0)
        recent: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=RECENT_OWN))
        reacted: set[str] = set()
        changes = 0
        self.trial = trial = Trial(tag)
        acks = {"ok": 0, "error": 0, "first_error": None}
        expected = 0
        max_backlog = 0

        def on_ack(reply: Any = None, *_: Any) -> None:
            if isinstance(reply, dict) and ("error" in reply or "code" in reply):
                acks["error"] += 1
                acks["first_error"] = acks["first_error"] or reply
            else:
                acks["ok"] += 1

        def on_send_ack(key: str, reply: Any = None, *_: Any) -> None:
            on_ack(reply)
            message = reply.get("message") if isinstance(reply, dict) else None
            if isinstance(message, dict) and "id" in message:
                recent[key].append(message["id"])

        if not self.senders or rate <= 0:
            await asyncio.sleep(seconds)
        senders = itertools.cycle(self.senders) if self.senders else None
        sent = 0
        started = time.monotonic()
        deadline = started + seconds
        while senders is not None and (now := time.monotonic()) < deadline:
            due = int((now - started) * rate)
            max_backlog = max(max_backlog, due - sent)
            while sent < due:
                sender = next(senders)
                key = sender["key"]
                sio = self.clients[key].sio
                content = f"b|{tag}|{time.time():.6f}|{key}|{self.index}-{sent}"
                change = int((sent + 1) * change_ratio) > int(sent * change_ratio)
                if change and recent[key]:
                    target = recent[key][changes % len(recent[key])]
                    ref = dict(sender["payload"], message_id=target)
                    if changes % 2 == 0:
                        await sio.emit(
                            "edit", dict(ref, content=content), namespace=NAMESPACE, callback=on_ack
                        )
                    else:
                        on = target not in reacted
                        (reacted.add if on else reacted.discard)(target)
                        await sio.emit(
                            "react",
                            dict(ref, emoji=REACTION, on=on),
                            namespace=NAMESPACE,
                            callback=on_ack,
                        )
                    changes += 1
                else:
                    payload = dict(sender["payload"], content=content)
                    payload["client_msg_id"] = f"{tag}-{self.index}-{sent}"
                    # Without the mix, the plain ack callback: the relays' path as before.
                    callback = functools.partial(on_send_ack, key) if change_ratio else on_ack
                    await sio.emit("send", payload, namespace=NAMESPACE, callback=callback)
                expected += sender["recipients"]
                sent += 1
            await asyncio.sleep(0.001)
        send_s = time.monotonic() - started
        # Deliveries are counted by every process, expectations by the sender's, and the
        # parent sums both: every process waits out the whole drain, for other processes'
        # messages as well as its own.
        await asyncio.sleep(trial_spec["drain"])
        self.trial = None
        return {
            "sent": sent,
            "send_s": send_s,
            "expected": expected,
            "received": trial.received,
            "latencies_ms": trial.latencies_ms,
            "acks_ok": acks["ok"],
            "acks_error": acks["error"],
            "first_error": acks["first_error"],
            "max_backlog": max_backlog,
            "changes": changes,
        }

    async def stop(self) -> None:
        await asyncio.gather(*(c.sio.disconnect() for c in self.clients.values()))


async def serve(index: int, pipe: Connection) -> None:
    generator = Generator(index)
    loop = asyncio.get_running_loop()
    while True:
        command, arg = await loop.run_in_executor(None, pipe.recv)
        try:
            if command == "connect":
                pipe.send(await generator.connect(arg))
            elif command == "run":
                pipe.send(await generator.run(arg))
            elif command == "stop":
                await generator.stop()
                pipe.send({"stopped": True})
                return
        except Exception as exc:
            pipe.send({"error": f"{type(exc).__name__}: {exc}"})


def process_main(index: int, pipe: Connection) -> None:
    # uvloop: the load generators share the two cores with the servers, and the cheaper
    # each client send and receive is, the higher the rates they can offer (Node's ceiling).
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(index, pipe))
        return
    uvloop.run(serve(index, pipe))
