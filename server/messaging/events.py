"""What the messaging service announces once a change has committed.

The service queues these with ``tx.after_commit``, so a listener never hears of a message,
read marker or conversation that a rollback undid, and a failed emit loses nothing (the
rows are there to fetch). Recipients are every participant at the time of the change,
the actor included (their other tabs and devices). ``live.ChatEvents`` delivers them over
Socket.IO; ``NoListeners`` is for callers with nobody listening live.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from server.messaging.schemas import Message, ReadState, TypingEvent


class MessagingEvents(Protocol):
    async def conversation_started(
        self, recipients: Sequence[uuid.UUID], conversation_id: uuid.UUID
    ) -> None:
        """A conversation was created; each recipient fetches their own view of it
        (unread counts differ per participant)."""

    async def message_sent(
        self, recipients: Sequence[uuid.UUID], message: Message, *, skip_sid: str | None = None
    ) -> None:
        """A new message was stored (never for an idempotent retry of an old one).
        ``skip_sid``: the socket that sent it, which has it in its ack already."""

    async def read_moved(self, recipients: Sequence[uuid.UUID], state: ReadState) -> None:
        """A participant's read marker moved forward (never when it stayed put)."""

    async def participants_changed(
        self,
        recipients: Sequence[uuid.UUID],
        conversation_id: uuid.UUID,
        added: Sequence[uuid.UUID],
        removed: Sequence[uuid.UUID],
    ) -> None:
        """Someone joined or left; ``recipients`` holds the participants before the change
        plus anyone added (so a removed user hears of their own removal)."""

    async def typing(self, recipients: Sequence[uuid.UUID], event: TypingEvent) -> None:
        """A participant is typing; best-effort, never stored."""


class NoListeners:
    """The default: nobody is listening live; clients fetch over REST."""

    async def conversation_started(
        self, recipients: Sequence[uuid.UUID], conversation_id: uuid.UUID
    ) -> None:
        return None

    async def message_sent(
        self, recipients: Sequence[uuid.UUID], message: Message, *, skip_sid: str | None = None
    ) -> None:
        return None

    async def read_moved(self, recipients: Sequence[uuid.UUID], state: ReadState) -> None:
        return None

    async def participants_changed(
        self,
        recipients: Sequence[uuid.UUID],
        conversation_id: uuid.UUID,
        added: Sequence[uuid.UUID],
        removed: Sequence[uuid.UUID],
    ) -> None:
        return None

    async def typing(self, recipients: Sequence[uuid.UUID], event: TypingEvent) -> None:
        return None
