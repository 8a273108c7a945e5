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

from server.paging import DEFAULT_LIMIT, Limit

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
        description="the permanent url of a completed message_attachment upload of the "
        "sender's (PUBLIC_URL/api/files/{id}, see docs/storage.md)",
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
        _check_message(self)


def _check_message(body: MessageSend | ChatSend) -> None:
    """The cross-field rules of a message, shared by the REST body and the socket payload."""
    if body.content is None and body.attachment_url is None:
        raise ValueError("send content, an attachment_url, or both")
    if body.content is not None and not body.content.strip():
        raise ValueError("content must not be blank")
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the insert.
    if body.content is not None and "\x00" in body.content:
        raise ValueError("content must not contain NUL characters")
    if body.attachment_type is not None and body.attachment_url is None:
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
    muted: bool = False  # the caller muted it: no toast, no email, not in the unread badge


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


class ParticipantAdd(msgspec.Struct, forbid_unknown_fields=True):
    user_id: uuid.UUID


# -- Socket.IO payloads (/chat): decoded with msgspec.convert, so a bad one is an error ack --

SyncLimit = Annotated[int, msgspec.Meta(ge=1, le=100)]


class ChatSend(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: uuid.UUID
    # Required on the socket: a client that reconnects mid-send must be able to retry safely.
    client_msg_id: ClientMsgId
    content: Content | None = None
    attachment_url: AttachmentUrl | None = None
    attachment_type: AttachmentType | None = None

    def __post_init__(self) -> None:
        _check_message(self)

    def message(self) -> MessageSend:
        return MessageSend(
            content=self.content,
            attachment_url=self.attachment_url,
            attachment_type=self.attachment_type,
            client_msg_id=self.client_msg_id,
        )


class ChatTyping(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: uuid.UUID


class ChatRead(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: uuid.UUID
    seq: Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)]


class ChatHistory(MessageListQuery, kw_only=True):
    conversation_id: uuid.UUID

    def query(self) -> MessageListQuery:
        return MessageListQuery(before=self.before, after=self.after, limit=self.limit)


class ChatSync(msgspec.Struct, forbid_unknown_fields=True):
    cursors: Annotated[
        dict[uuid.UUID, Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)]],
        msgspec.Meta(max_length=1000),
    ] = {}
    limit: SyncLimit = 50


class ReadMarker(msgspec.Struct):
    user_id: uuid.UUID
    seq: int


class SyncConversation(msgspec.Struct):
    conversation_id: uuid.UUID
    last_seq: int
    messages: list[Message]
    more: bool  # more messages above the last one returned: page on with history(after=)
    read: list[ReadMarker]
    new: bool  # the client sent no cursor for it


class SyncResult(msgspec.Struct):
    conversations: list[SyncConversation]
    gone: list[uuid.UUID]  # cursors the client sent for conversations it is not in
    truncated: bool  # more conversations than one sync returns: list the rest over REST


# -- Server -> client event payloads (/chat) --


class ReadEvent(msgspec.Struct):
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    seq: int


class TypingEvent(msgspec.Struct):
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    expires_in_ms: int


ConversationChange = Literal["created", "participants_changed", "removed"]


class ConversationEvent(msgspec.Struct):
    change: ConversationChange
    conversation_id: uuid.UUID


# -- Unread summary, mute, notification settings (alerts.py) --


class UnreadSummary(msgspec.Struct):
    """The Messages badge; also the ``unread`` event's payload."""

    conversations: Annotated[
        int,
        msgspec.Meta(description="conversations with a message I have not read, muted ones aside"),
    ]


class MuteState(msgspec.Struct):
    muted: bool


class NotificationSettings(msgspec.Struct, forbid_unknown_fields=True):
    missed_message_emails: Annotated[
        bool,
        msgspec.Meta(
            description="email me about messages still unread "
            "MISSED_MESSAGE_EMAIL_DELAY_SECONDS after they were sent"
        ),
    ]
