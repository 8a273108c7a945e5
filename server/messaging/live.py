"""Messaging events delivered live on the /chat namespace, to every participant's user room.

Payloads go out as plain JSON-ready values (``msgspec.to_builtins``), so whatever carries
them between instances (Redis pub/sub today) never has to know our Structs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from server.events import Events
from server.messaging import schemas

CHAT_NAMESPACE = "/chat"


class ChatEvents:
    """``MessagingEvents`` over the app's ``Events`` (any instance, per user)."""

    def __init__(self, events: Events):
        self.events = events

    async def _emit(
        self,
        users: Sequence[uuid.UUID],
        event: str,
        payload: Any,
        best_effort: bool = False,
        skip_sid: str | None = None,
    ) -> None:
        if not users:
            return
        if skip_sid is None:
            await self.events.to_users(
                users, CHAT_NAMESPACE, event, msgspec.to_builtins(payload), best_effort=best_effort
            )
        else:
            # Only the Socket.IO server's Events knows sockets (SocketIOEvents).
            await self.events.to_users(  # type: ignore[call-arg]
                users,
                CHAT_NAMESPACE,
                event,
                msgspec.to_builtins(payload),
                best_effort=best_effort,
                skip_sid=skip_sid,
            )

    async def conversation_started(
        self, recipients: Sequence[uuid.UUID], conversation_id: uuid.UUID
    ) -> None:
        await self._emit(recipients, "conversation", _change("created", conversation_id))

    async def message_sent(
        self,
        recipients: Sequence[uuid.UUID],
        message: schemas.Message,
        *,
        skip_sid: str | None = None,
    ) -> None:
        await self._emit(recipients, "message", message, skip_sid=skip_sid)

    async def read_moved(self, recipients: Sequence[uuid.UUID], state: schemas.ReadState) -> None:
        event = schemas.ReadEvent(
            conversation_id=state.conversation_id, user_id=state.user_id, seq=state.last_read_seq
        )
        await self._emit(recipients, "read", event)

    async def participants_changed(
        self,
        recipients: Sequence[uuid.UUID],
        conversation_id: uuid.UUID,
        added: Sequence[uuid.UUID],
        removed: Sequence[uuid.UUID],
    ) -> None:
        # To someone added, the conversation is new; to someone removed, it is gone; the
        # others fetch the new participant list.
        others = [u for u in recipients if u not in added and u not in removed]
        await self._emit(added, "conversation", _change("created", conversation_id))
        await self._emit(removed, "conversation", _change("removed", conversation_id))
        await self._emit(others, "conversation", _change("participants_changed", conversation_id))

    async def typing(self, recipients: Sequence[uuid.UUID], event: schemas.TypingEvent) -> None:
        await self._emit(recipients, "typing", event, best_effort=True)


def _change(change: schemas.ConversationChange, conversation_id: uuid.UUID) -> Any:
    return schemas.ConversationEvent(change=change, conversation_id=conversation_id)
