"""The live events of messaging, on the /chat namespace: their payloads and who receives them.

Services build them inside the unit of work that made the change and ``tx.emit`` them, so
they leave only after the commit (server/db.py), in the order they were emitted: a
listener never hears of a message, read marker or conversation that a rollback undid, and
a failed emit loses nothing (the rows are there to fetch with ``sync`` or history).
Recipients are every participant at the time of the change, the actor included (their
other tabs and devices). docs/messaging.md and docs/realtime.md document each payload.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.messaging import schemas
from server.realtime.contract import LiveEvent

CHAT_NAMESPACE = "/chat"
MESSAGE = "message"
READ = "read"
TYPING = "typing"
CONVERSATION = "conversation"
MESSAGE_CHANGED = "message_changed"
UNREAD = "unread"


def message_sent(
    recipients: Sequence[uuid.UUID], message: schemas.Message, skip_sid: str | None = None
) -> LiveEvent:
    """A new message was stored (never for an idempotent retry of an old one). ``skip_sid``:
    the socket that sent it, which has it in its ack already."""
    return LiveEvent(recipients, CHAT_NAMESPACE, MESSAGE, message, skip_sid=skip_sid)


def message_changed(
    recipients: Sequence[uuid.UUID],
    change: schemas.MessageChange,
    message: schemas.Message,
    skip_sid: str | None = None,
) -> LiveEvent:
    """A stored message was edited, deleted or its reactions changed (never for a retry that
    changed nothing); ``message`` is its full latest state, ``message.rev`` orders it among
    the conversation's changes. ``skip_sid``: the socket that made the change (its ack has
    the message)."""
    payload = schemas.MessageChangedEvent(change=change, message=message)
    return LiveEvent(recipients, CHAT_NAMESPACE, MESSAGE_CHANGED, payload, skip_sid=skip_sid)


def conversation_started(recipients: Sequence[uuid.UUID], conversation_id: uuid.UUID) -> LiveEvent:
    """A conversation was created; each recipient fetches their own view of it (unread
    counts differ per participant)."""
    return _conversation(recipients, "created", conversation_id)


def read_moved(recipients: Sequence[uuid.UUID], state: schemas.ReadState) -> LiveEvent:
    """A participant's read marker moved forward (never when it stayed put)."""
    payload = schemas.ReadEvent(
        conversation_id=state.conversation_id, user_id=state.user_id, seq=state.last_read_seq
    )
    return LiveEvent(recipients, CHAT_NAMESPACE, READ, payload)


def participants_changed(
    members_before: Sequence[uuid.UUID],
    conversation_id: uuid.UUID,
    added: Sequence[uuid.UUID] = (),
    removed: Sequence[uuid.UUID] = (),
) -> list[LiveEvent]:
    """Someone joined or left. To someone added the conversation is new, to someone removed
    it is gone (they hear of their own removal, and of nothing after it); the others fetch
    the new participant list."""
    others = [u for u in members_before if u not in added and u not in removed]
    events = [
        _conversation(added, "created", conversation_id),
        _conversation(removed, "removed", conversation_id),
        _conversation(others, "participants_changed", conversation_id),
    ]
    return [event for event in events if event.user_ids]


def typing(
    participants: Sequence[uuid.UUID], typist: uuid.UUID, event: schemas.TypingEvent
) -> LiveEvent:
    """A participant is typing: to the others, best-effort, never stored."""
    others = [u for u in participants if u != typist]
    return LiveEvent(others, CHAT_NAMESPACE, TYPING, event, best_effort=True)


def unread_changed(user_id: uuid.UUID, conversations: int) -> LiveEvent:
    """The user's count of unread, unmuted conversations (the Messages badge) may have
    changed: to all of their sockets, with the count as of after the change."""
    return LiveEvent(
        [user_id], CHAT_NAMESPACE, UNREAD, schemas.UnreadSummary(conversations=conversations)
    )


def _conversation(
    recipients: Sequence[uuid.UUID],
    change: schemas.ConversationChange,
    conversation_id: uuid.UUID,
) -> LiveEvent:
    payload = schemas.ConversationEvent(change=change, conversation_id=conversation_id)
    return LiveEvent(list(recipients), CHAT_NAMESPACE, CONVERSATION, payload)
