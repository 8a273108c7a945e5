"""What travels: the Socket.IO packet text of an event, and the node message that carries it
between instances on a node's Redis channel.

An event is encoded once per emit, whatever the number of recipients or instances; a node
message is a three-line header (namespace, best-effort flag, recipient user ids) and that
packet, so the receiving node routes it without decoding the JSON.
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


def node_message(namespace: str, best_effort: bool, user_ids: Iterable[str], packet: str) -> str:
    """What a node channel carries: a three-line header the receiver splits cheaply."""
    return f"{namespace}\n{int(best_effort)}\n{','.join(user_ids)}\n{packet}"


def parse_node_message(data: str) -> tuple[str, bool, list[str], str]:
    namespace, best_effort, users, packet = data.split("\n", 3)
    return namespace, best_effort == "1", users.split(","), packet


def split_node_messages(data: str) -> list[str]:
    """The node messages one publish carries, in the order they were emitted."""
    return data.split(NODE_MESSAGE_SEPARATOR)
