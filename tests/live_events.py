"""Recording what committed units of work publish, for service-level tests.

``RecordingEvents.on(db)`` puts a recorder in front of the database's event sink
(``Database.events``): every ``LiveEvent`` or ``Disconnect`` a committed unit of work
publishes is kept, in order, and still handed on to the real sink (the app's Socket.IO
manager), so nothing is faked: the test only also sees what left, and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from server.realtime.contract import Disconnect, Events, LiveEvent


class RecordingEvents:
    def __init__(self, forward: Events):
        self.forward = forward
        self.items: list[LiveEvent | Disconnect] = []

    @classmethod
    def on(cls, db: Any) -> RecordingEvents:
        recorder = cls(db.events)
        db.events = recorder
        return recorder

    async def publish(self, items: Sequence[LiveEvent | Disconnect]) -> None:
        self.items.extend(items)
        await self.forward.publish(items)

    async def online(self, user_ids: Iterable[Any]) -> set:
        return await self.forward.online(user_ids)

    def live(self, name: str | None = None) -> list[LiveEvent]:
        return [
            item
            for item in self.items
            if isinstance(item, LiveEvent) and (name is None or item.name == name)
        ]

    def clear(self) -> None:
        self.items.clear()
