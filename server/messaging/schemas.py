"""Request and response bodies for conversations and messages.

The request Structs validate everything a client can get wrong (including the rules that
span fields, in ``__post_init__``), so the REST routes and the Socket.IO handlers that
decode the same Structs refuse the same inputs with the same messages.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.api import DEFAULT_LIMIT, Limit

MAX_CONTENT_CHARS = 10_000
# A conversation is a chat, not a mailing list; the cap also bounds the per-participant
# policy checks a single start request can cause.
MAX_PARTICIPANTS = 50

# Seqs are BIGINT; a larger number could never name a message, and must not reach the driver.
MAX_SEQ = 2**63 - 1

ContextType = Literal["application", "gig", "organization"]
Content = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CONTENT_CHARS)]
AttachmentUrl = Annotated[
    str,
    msgspec.Meta(
        max_length=1024,
        pattern=r"^https?://[^\s\x00]+$",
        description="an http(s) URL; a later issue binds attachments to verified uploads",
    ),
]
AttachmentType = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][\w.+/-]*$"),
]
ClientMsgId = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[\x21-\x7e]+$",
        description="the sender's idempotency key: a retry with the same id returns the "
        "original message instead of sending it twice",
    ),
]


class MessageSend(msgspec.Struct, forbid_unknown_fields=True):
    content: Content | None = None
    attachment_url: AttachmentUrl | None = None
    attachment_type: AttachmentType | None = None
    client_msg_id: ClientMsgId | None = None

    def __post_init__(self) -> None:
        if self.content is None and self.attachment_url is None:
            raise ValueError("send content, an attachment_url, or both")
        if self.content is not None and not self.content.strip():
            raise ValueError("content must not be blank")
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the insert.
        if self.content is not None and "\x00" in self.content:
            raise ValueError("content must not contain NUL characters")
        if self.attachment_type is not None and self.attachment_url is None:
            raise ValueError("attachment_type needs an attachment_url")


class ContextRef(msgspec.Struct, forbid_unknown_fields=True):
    """What the conversation is about; it decides who may start it (docs/messaging.md)."""

    type: ContextType
    id: uuid.UUID


class ConversationStart(msgspec.Struct, forbid_unknown_fields=True):
    participant_ids: Annotated[
        list[uuid.UUID],
        msgspec.Meta(
            min_length=1,
            max_length=MAX_PARTICIPANTS,
            description="the other participants (you are always one)",
        ),
    ]
    context: ContextRef
    message: MessageSend | None = None


class ReadUpTo(msgspec.Struct, forbid_unknown_fields=True):
    seq: Annotated[
        int, msgspec.Meta(ge=0, le=MAX_SEQ, description="mark every message up to this seq read")
    ]


class ConversationListQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class MessageListQuery(msgspec.Struct, forbid_unknown_fields=True):
    before: (
        Annotated[
            int, msgspec.Meta(ge=1, le=MAX_SEQ, description="newest-first page below this seq")
        ]
        | None
    ) = None
    after: (
        Annotated[
            int, msgspec.Meta(ge=0, le=MAX_SEQ, description="oldest-first page above this seq")
        ]
        | None
    ) = None
    limit: Limit = 50

    def __post_init__(self) -> None:
        if self.before is not None and self.after is not None:
            raise ValueError("pass before or after, not both")


class Message(msgspec.Struct):
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    content: str | None
    attachment_url: str | None
    attachment_type: str | None
    client_msg_id: str | None
    sent_at: datetime


class Participant(msgspec.Struct):
    id: uuid.UUID
    full_name: str | None
    last_read_seq: int


class Conversation(msgspec.Struct):
    """One conversation as the caller sees it (``unread_count`` is the caller's)."""

    id: uuid.UUID
    context: ContextRef | None
    created_by: uuid.UUID | None
    created_at: datetime
    last_seq: int
    last_message_at: datetime | None
    participants: list[Participant]
    last_message: Message | None
    unread_count: int


class ConversationPage(msgspec.Struct):
    items: list[Conversation]
    next: Annotated[str | None, msgspec.Meta(description="pass back as `cursor`")] = None


class MessagePage(msgspec.Struct):
    items: list[Message]
    next: Annotated[
        int | None,
        msgspec.Meta(
            description="the seq to pass back as `before` (or as `after` when paging forward); "
            "null when there is nothing further"
        ),
    ] = None


class ReadState(msgspec.Struct):
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    last_read_seq: int
    last_seq: int
    unread_count: int
