"""The live layer's contract with the rest of the server: what an event is, who gets it, and
the one way it leaves.

Services never emit. Inside a transaction they call ``tx.emit(LiveEvent(...))`` (or
``tx.disconnect(...)``); the transaction collects them and, once it has committed, hands
them in order to its database's event sink (``Database.events``), which is an ``Events``:
the web process's ``RealtimeManager``, a worker's ``RedisEmitter``, or ``NoEvents``. A client
therefore only ever hears of committed rows, and a failed emit loses nothing it cannot fetch
(STYLE.md rule 3). Each domain builds its events (payload Structs and recipient rule) in its
own ``events.py``; docs/realtime.md lists every event.

Every recipient is addressed by user id: each connected socket sits in its user's room
(``user:<id>``) and its session's room (``session:<id>``), so adding or removing a
participant takes effect with the very next event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


def user_room(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def session_room(session_id: uuid.UUID | str) -> str:
    return f"session:{session_id}"


def recipients_of(user_ids: Iterable[uuid.UUID | str]) -> list[str]:
    """Each recipient once, as text, in a stable order."""
    return sorted({str(u) for u in user_ids})


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """``name`` with ``payload`` (a msgspec Struct or JSON-ready value) to every socket of
    every user in ``user_ids`` on ``namespace``, on any instance.

    ``best_effort``: may be dropped under load (typing, presence). ``skip_sid``: leave out
    one socket of this process (the one whose call caused the event, answered in its ack)."""

    user_ids: Sequence[uuid.UUID]
    namespace: str
    name: str
    payload: Any
    best_effort: bool = False
    skip_sid: str | None = None


@dataclass(frozen=True, slots=True)
class Disconnect:
    """Close every socket in ``room`` (a revoked session's or a user's), on every instance."""

    room: str

    @classmethod
    def session(cls, session_id: uuid.UUID) -> Disconnect:
        return cls(session_room(session_id))

    @classmethod
    def user(cls, user_id: uuid.UUID) -> Disconnect:
        return cls(user_room(user_id))


class Events(Protocol):
    """Where committed events go."""

    async def publish(self, items: Sequence[LiveEvent | Disconnect]) -> None:
        """Deliver ``items`` in order (called after the commit that produced them)."""
        ...

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """The users with at least one connected socket on any instance."""
        ...


class Transport:
    """``Events.publish`` for a sink that has ``to_users`` and ``disconnect_room`` (the web
    process's manager, the worker's emitter): each item, in order, through them."""

    async def publish(self, items: Sequence[LiveEvent | Disconnect]) -> None:
        for item in items:
            if isinstance(item, Disconnect):
                await self.disconnect_room(item.room)
            else:
                await self.to_users(
                    item.user_ids,
                    item.namespace,
                    item.name,
                    item.payload,
                    best_effort=item.best_effort,
                    skip_sid=item.skip_sid,
                )


class NoEvents:
    """For processes with no live clients and no Redis: events go nowhere."""

    async def publish(self, items: Sequence[LiveEvent | Disconnect]) -> None:
        return None

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return set()

    async def close(self) -> None:
        return None
