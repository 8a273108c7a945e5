"""Request and response bodies for gig orders (docs/orders.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.fields import FileUrl
from server.orders.states import Action, Status
from server.paging import DEFAULT_LIMIT, Limit

MAX_FILES = 10
TierName = Literal["basic", "standard", "premium"]
# Newlines allowed, not blank, no NUL (PostgreSQL refuses it); trimmed before storing.
_NOT_BLANK = r"\A(?=[\s\S]*\S)[^\x00]+\Z"


def _text(max_length: int, description: str) -> object:
    return Annotated[
        str,
        msgspec.Meta(
            min_length=1, max_length=max_length, pattern=_NOT_BLANK, description=description
        ),
    ]


Requirements = _text(5000, "what the seller needs to know, 1 to 5000 characters, not blank")
Message = _text(5000, "1 to 5000 characters, not blank")
Reason = _text(1000, "why, 1 to 1000 characters, not blank")
Files = Annotated[
    list[FileUrl],
    msgspec.Meta(
        max_length=MAX_FILES,
        description="up to 10 `url`s of your completed `order_file` uploads",
    ),
]


class OrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Order one tier of a gig. `attachments`: files for the seller, each the `url` of a
    completed upload of yours made with purpose `order_file`."""

    tier: TierName
    requirements: Requirements
    attachments: Files = []


class OrderDecline(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class OrderCancel(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class OrderDeliver(msgspec.Struct, forbid_unknown_fields=True):
    """The seller's delivery: a message and up to 10 files (completed `order_file`
    uploads of the seller's)."""

    message: Message
    files: Files = []


class OrderRevisionRequest(msgspec.Struct, forbid_unknown_fields=True):
    message: Message


StatusFilter = Literal[
    "requested",
    "in_progress",
    "delivered",
    "in_revision",
    "completed",
    "declined",
    "cancelled",
    "active",
    "closed",
]


class OrderListQuery(msgspec.Struct, forbid_unknown_fields=True):
    """`role`: the orders you placed (`buyer`) or received (`seller`). `status`: one status,
    `active` (requested, in_progress, delivered, in_revision) or `closed` (completed,
    declined, cancelled); all when left out."""

    role: Literal["buyer", "seller"]
    status: StatusFilter | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class OrderParty(msgspec.Struct):
    id: uuid.UUID
    name: str | None  # the profile's full name
    avatar_url: str | None


class OrderFile(msgspec.Struct):
    url: str
    filename: str
    content_type: str
    size: int


class OrderDelivery(msgspec.Struct):
    id: uuid.UUID
    number: int
    message: str
    files: list[OrderFile]
    created_at: datetime
    # The buyer's revision request answering this delivery, if they made one.
    revision_request: str | None
    revision_requested_at: datetime | None


class OrderEvent(msgspec.Struct):
    """One line of the order's timeline. `action`: `create`, one of the transitions, or
    `due-reminder` (the platform reminded the seller); `actor_id` null = the platform."""

    action: str
    actor_id: uuid.UUID | None
    from_status: Status | None
    to_status: Status
    note: str | None
    created_at: datetime


class OrderSummary(msgspec.Struct, kw_only=True):
    """An order as lists show it. Price, currency, delivery days, revisions and the tier's
    description were copied from the gig when ordering: a later gig edit changes nothing
    here. No payment is taken: the buyer arranges payment with the freelancer."""

    id: uuid.UUID
    gig_id: uuid.UUID | None  # null once the gig is deleted
    gig_title: str
    status: Status
    version: int
    buyer: OrderParty
    seller: OrderParty
    tier: TierName
    tier_description: str
    price: int  # minor units (cents)
    currency: str
    delivery_days: int
    revisions_allowed: int
    revisions_used: int
    requirements: str
    attachments: list[OrderFile]
    conversation_id: uuid.UUID | None
    due_at: datetime | None
    accepted_at: datetime | None
    delivered_at: datetime | None
    completed_at: datetime | None
    auto_completed: bool
    # When the platform completes it if the buyer does not answer (while delivered).
    auto_complete_at: datetime | None
    closed_at: datetime | None
    closed_by: uuid.UUID | None
    close_reason: str | None
    status_changed_at: datetime
    created_at: datetime
    updated_at: datetime
    # What the caller may do now, e.g. ["deliver", "cancel"]: POST /api/orders/{id}/{action}.
    actions: list[Action]


class Order(OrderSummary, kw_only=True):
    deliveries: list[OrderDelivery]  # oldest first
    events: list[OrderEvent]  # oldest first


class OrderPage(msgspec.Struct):
    items: list[OrderSummary]
    next: str | None = None
