"""Notification shapes: the stored row (also the live event's data), REST and socket bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from server.paging import DEFAULT_LIMIT, Limit

# BIGSERIAL ids; anything outside BIGINT is a 422, never a driver error.
NotificationId = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Cursor = Annotated[str, msgspec.Meta(max_length=1024)]
# `sync` answers at most this many; a client that missed more pages through REST.
SYNC_LIMIT = 100


class Notification(msgspec.Struct):
    """One stored notification; the live event on /notifications carries exactly this."""

    id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationListQuery(msgspec.Struct, forbid_unknown_fields=True):
    """`unread=true` only unread, `false` only read; `after`: only ids above it."""

    unread: bool | None = None
    after: NotificationId | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


class NotificationPage(msgspec.Struct):
    items: list[Notification]
    next: str | None


class UnreadCount(msgspec.Struct):
    unread: int


class MarkReadUpTo(msgspec.Struct, forbid_unknown_fields=True):
    up_to_id: NotificationId


class MarkedRead(msgspec.Struct):
    marked: int  # how many were unread and are now read
    unread: int  # what is left unread


class SyncRequest(msgspec.Struct, forbid_unknown_fields=True):
    after: NotificationId = 0


class SyncResult(msgspec.Struct):
    """Notifications with id > after, oldest first; `more`: page the rest through REST."""

    ok: bool
    notifications: list[Notification]
    more: bool
    unread: int


class ReadRequest(msgspec.Struct, forbid_unknown_fields=True):
    id: NotificationId


class ReadResult(msgspec.Struct):
    ok: bool
    notification: Notification
    unread: int
