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

# `order`: an order's own conversation, opened with the order (system.py); never started
# through POST /api/conversations, and its participants are fixed (docs/messaging.md).
ContextType = Literal["application", "gig", "organization", "order"]
# `system`: a line the platform posts (an order's transitions: system.py), shown centred,
# never edited, deleted or reacted to; `text`: everything people write.
MessageKind = Literal["text", "system"]
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
    if body.content is not None:
        _check_content(body.content)
    if body.attachment_type is not None and body.attachment_url is None:
        raise ValueError("attachment_type needs an attachment_url")


def _check_content(content: str) -> None:
    if not content.strip():
        raise ValueError("content must not be blank")
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the insert.
    if "\x00" in content:
        raise ValueError("content must not contain NUL characters")


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
    around: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                le=MAX_SEQ,
                description="the page around this seq (it included when it exists), oldest "
                "first, with `older` and `newer` to page on",
            ),
        ]
        | None
    ) = None
    limit: Limit = 50

    def __post_init__(self) -> None:
        given = [name for name in ("before", "after", "around") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"pass one of before, after and around, not {' and '.join(given)}")


class Reaction(msgspec.Struct):
    emoji: str
    count: int
    user_ids: list[uuid.UUID]  # who reacted with it, first reaction first


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
    # The conversation's change counter (last_rev) at this message's latest edit, deletion
    # or reaction; 0 for a message never changed. A client keeps the highest it has seen.
    rev: int = 0
    edited_at: datetime | None = None
    # A tombstone: content and attachment are null, the seq stays.
    deleted_at: datetime | None = None
    reactions: list[Reaction] = []  # ordered by first reaction
    kind: MessageKind = "text"


class MessageEdit(msgspec.Struct, forbid_unknown_fields=True):
    content: Content
    if_rev: (
        Annotated[
            int,
            msgspec.Meta(
                ge=0,
                le=MAX_SEQ,
                description="edit only if the message's rev is still this (else 409)",
            ),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        _check_content(self.content)


class PreviousVersion(msgspec.Struct):
    content: str
    written_at: datetime  # when this version was written (sent, or an earlier edit)
    replaced_at: datetime  # when an edit replaced it


class MessageEdits(msgspec.Struct):
    message_id: uuid.UUID
    items: list[PreviousVersion]  # oldest first


class MessageReactions(msgspec.Struct):
    message_id: uuid.UUID
    rev: int
    reactions: list[Reaction]


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
    about: Annotated[
        ConversationAbout | None,
        msgspec.Meta(description="what it is about: title and page (null: no context, or gone)"),
    ] = None
    muted: bool = False  # the caller muted it: no toast, no email, not in the unread badge
    last_rev: Annotated[
        int,
        msgspec.Meta(
            description="the conversation's change counter (edits, deletions, reactions): a "
            "client's first rev cursor for `sync`"
        ),
    ] = 0


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


class MessageAroundPage(MessagePage):
    """History around a seq (``around=``): oldest first, with where to page on either way."""

    older: Annotated[
        int | None,
        msgspec.Meta(description="around: pass as `before` for older messages; null at the start"),
    ] = None
    newer: Annotated[
        int | None,
        msgspec.Meta(description="around: pass as `after` for newer messages; null at the end"),
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
        return MessageListQuery(
            before=self.before, after=self.after, around=self.around, limit=self.limit
        )


class ChatEdit(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    content: Content
    if_rev: Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)] | None = None

    def __post_init__(self) -> None:
        _check_content(self.content)

    def edit(self) -> MessageEdit:
        return MessageEdit(content=self.content, if_rev=self.if_rev)


class ChatDelete(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: uuid.UUID
    message_id: uuid.UUID


class ChatReact(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    emoji: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    on: bool


class ChatSync(msgspec.Struct, forbid_unknown_fields=True):
    cursors: Annotated[
        dict[uuid.UUID, Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)]],
        msgspec.Meta(max_length=1000),
    ] = {}
    limit: SyncLimit = 50
    # Per conversation, the last_rev the client has caught up to (missing: 0): the answer's
    # ``changed`` lists the messages at or below its cursor changed since.
    revs: Annotated[
        dict[uuid.UUID, Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)]],
        msgspec.Meta(max_length=1000),
    ] = {}


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
    last_rev: int = 0  # the conversation's change counter in this answer's snapshot
    # Messages at or below the client's cursor changed after its rev (edited, deleted,
    # reactions), in their latest state, oldest change first, at most ``limit``.
    changed: list[Message] = []
    # More changes than ``limit``: sync again with revs = the last changed message's rev.
    changed_more: bool = False


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


MessageChange = Literal["edited", "deleted", "reaction"]


class MessageChangedEvent(msgspec.Struct):
    change: MessageChange
    message: Message


# -- Search, the conversation's context, contacts (issue 13; docs/messaging.md "Search") --

MAX_SEARCH_CHARS = 200


class MessageSearchQuery(msgspec.Struct, forbid_unknown_fields=True):
    q: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=MAX_SEARCH_CHARS,
            description="words to find (all of them; the last one also as a prefix)",
        ),
    ]
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None

    def __post_init__(self) -> None:
        if not self.q.strip():
            raise ValueError("q must not be blank")
        if "\x00" in self.q:
            raise ValueError("q must not contain NUL characters")
        if not any(ch.isalnum() for ch in self.q):
            raise ValueError("q must contain a letter or a digit")


class MessageSearchHit(msgspec.Struct):
    message: Message
    conversation_id: uuid.UUID
    highlight: Annotated[
        str,
        msgspec.Meta(
            description="HTML-safe excerpt of the message: its text escaped, the matched "
            "words wrapped in <mark></mark>"
        ),
    ]


class MessageSearchPage(msgspec.Struct):
    items: list[MessageSearchHit]
    next: Annotated[str | None, msgspec.Meta(description="pass back as `cursor`")] = None


class ConversationAbout(msgspec.Struct):
    """What a conversation is about, as its header shows it: a title and a page to open."""

    type: ContextType
    id: uuid.UUID
    title: str
    url: str


class ContactQuery(msgspec.Struct, forbid_unknown_fields=True):
    q: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=100, description="part of the person's name (case-insensitive)"
            ),
        ]
        | None
    ) = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=50)] = 20

    def __post_init__(self) -> None:
        if self.q is not None and "\x00" in self.q:
            raise ValueError("q must not contain NUL characters")


class ContactUser(msgspec.Struct):
    id: uuid.UUID
    full_name: str | None


class Contact(msgspec.Struct):
    user: ContactUser
    context: ContextRef
    about: str


class ContactPage(msgspec.Struct):
    items: list[Contact]


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
