"""The live events of orders: their payload and who receives them.

Each is stored as a notification in the transaction of the change
(``NotificationService.notify``), which emits it on /notifications after the commit.

| event | recipients |
|---|---|
| order.created | the seller |
| order.status | the other party of the move; both for an automatic completion |
| order.due_soon | the seller, ORDER_DUE_REMINDER_HOURS before the due time |

(order.reviewed and order.review_replied, with the same payload, are server/reviews'.)
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from server.orders import states
from server.orders.states import Status

ORDER_CREATED = "order.created"
ORDER_STATUS = "order.status"
ORDER_DUE_SOON = "order.due_soon"
DUE_REMINDER = "due-reminder"


class OrderNotice(msgspec.Struct, frozen=True):
    order_id: uuid.UUID
    gig_id: uuid.UUID | None
    gig_title: str
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    status: Status
    previous_status: Status | None  # null for order.created and order.due_soon
    action: str  # "create", a transition ("accept", ...), or "due-reminder"
    actor_id: uuid.UUID | None  # null: the platform
    due_at: datetime | None
    at: datetime


def notice(
    row: asyncpg.Record,
    action: str,
    actor_id: uuid.UUID | None,
    previous_status: Status | None,
    at: datetime,
) -> OrderNotice:
    """The payload about ``row`` (``get_order``, as it is after the change)."""
    return OrderNotice(
        order_id=row["id"],
        gig_id=row["gig_id"],
        gig_title=row["gig_title"],
        buyer_id=row["buyer_id"],
        seller_id=row["seller_id"],
        status=row["status"],
        previous_status=previous_status,
        action=action,
        actor_id=actor_id,
        due_at=row["due_at"],
        at=at,
    )


def status_recipients(row: asyncpg.Record, role: states.Role) -> tuple[uuid.UUID, ...]:
    """The other party hears of a move; both hear of the platform's."""
    if role == states.BUYER:
        return (row["seller_id"],)
    if role == states.SELLER:
        return (row["buyer_id"],)
    return (row["buyer_id"], row["seller_id"])
