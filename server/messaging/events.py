"""What the messaging service announces once a change has committed.

The service queues these with ``tx.after_commit``, so a listener never hears of a message,
read marker or conversation that a rollback undid, and a failed emit loses nothing (the
rows are there to fetch). Recipients are every participant at the time of the change,
the actor included (their other tabs and devices). The live transport (Socket.IO, fanned
out through Redis) implements this protocol; until it is plugged in nothing listens.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from server.messaging.schemas import Message, ReadState


class MessagingEvents(Protocol):
    async def conversation_started(
        self, recipients: Sequence[uuid.UUID], conversation_id: uuid.UUID
    ) -> None:
        """A conversation was created; each recipient fetches their own view of it
        (unread counts differ per participant)."""

    async def message_sent(self, recipients: Sequence[uuid.UUID], message: Message) -> None:
        """A new message was stored (never for an idempotent retry of an old one)."""

    async def read_moved(self, recipients: Sequence[uuid.UUID], state: ReadState) -> None:
        """A participant's read marker moved forward (never when it stayed put)."""


class NoListeners:
    """The default: nobody is listening live; clients fetch over REST."""

    async def conversation_started(
        self, recipients: Sequence[uuid.UUID], conversation_id: uuid.UUID
    ) -> None:
        return None

    async def message_sent(self, recipients: Sequence[uuid.UUID], message: Message) -> None:
        return None

    async def read_moved(self, recipients: Sequence[uuid.UUID], state: ReadState) -> None:
        return None
