"""What travels: the Socket.IO packet text of an event, and the node message that carries it
between instances on a node's Redis channel.

An event is encoded once per emit, whatever the number of recipients or instances; a node
message is a three-line header (namespace, best-effort flag, recipient user ids) and that
packet, so the receiving node routes it without decoding the JSON.

The flag line may carry the emit's publish time, ``1@1718000000.123456`` (issue 18: the bus
lag metric). A node message without it (from an instance older than the stamp) reads as
before; an older instance reading a stamped best-effort flag takes it for reliable, which
only matters for a socket already over the slow-consumer limit, during a rolling upgrade.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

NODE_MESSAGE_SEPARATOR = "\0"  # joins the node messages of one publish (route.lua)

_json = msgspec.json.Encoder()


def encode_event(namespace: str, event: str, payload: Any) -> str:
    """The Socket.IO EVENT packet text, built once per emit (no acks, no binary). Payloads
    may be msgspec Structs, UUIDs and datetimes: msgspec encodes them natively."""
    body = _json.encode([event, payload]).decode()
    return "2" + body if namespace == "/" else f"2{namespace},{body}"


def node_message(
    namespace: str,
    best_effort: bool,
    user_ids: Iterable[str],
    packet: str,
    sent_at: float | None = None,
) -> str:
    """What a node channel carries: a three-line header the receiver splits cheaply.
    ``sent_at``: the publish time (``time.time()``), stamped on the flag line."""
    flag = int(best_effort) if sent_at is None else f"{int(best_effort)}@{sent_at:.6f}"
    return f"{namespace}\n{flag}\n{','.join(user_ids)}\n{packet}"


def parse_node_message(data: str) -> tuple[str, bool, list[str], str]:
    namespace, flag, users, packet = data.split("\n", 3)
    return namespace, flag[:1] == "1", users.split(","), packet


def first_sent_at(data: str) -> float | None:
    """The publish time stamped on the first node message of ``data`` (one publish: its
    oldest), or None when it carries none."""
    start = data.find("\n") + 1
    end = data.find("\n", start)
    if not start or end < 0:
        return None
    _, at, stamp = data[start:end].partition("@")
    try:
        return float(stamp) if at else None
    except ValueError:  # not ours to judge: the message is still delivered
        return None


def event_name(packet: str) -> str:
    """The event name of an EVENT packet made by ``encode_event`` or python-socketio
    (``2/chat,["message",...]``), without decoding its JSON; "" when there is none."""
    start = packet.find('["')
    end = packet.find('"', start + 2) if start >= 0 else -1
    return packet[start + 2 : end] if end > 0 else ""


def split_node_messages(data: str) -> list[str]:
    """The node messages one publish carries, in the order they were emitted."""
    return data.split(NODE_MESSAGE_SEPARATOR)
