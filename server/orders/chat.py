"""An order's conversation: a system line for every move (the order service opens it with
server/messaging/system.py open_order_conversation, in the order's transaction).

The messaging domain owns conversations and messages (server/messaging/system.py); this
module only says what an order posts there and under which idempotency key (one line per
version of the order, so a move retried after its commit never posts twice).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from server.db import Database, Transaction
from server.messaging import system

MOVE_LINES: dict[str, str] = {
    "accept": "The seller accepted the order. It is due {due}.",
    "decline": "The seller declined the order: {note}",
    "cancel": "The {role} cancelled the order: {note}",
    "deliver": "The seller delivered the order (delivery {number}).",
    "request-revision": "The buyer asked for a revision ({used} of {allowed}): {note}",
    "complete": "The buyer accepted the delivery. The order is complete.",
    "auto-complete": "The order completed automatically: the last delivery went unanswered.",
}


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC") if moment else "unset"


def placed_line(row: asyncpg.Record) -> str:
    return (
        f"Order placed: the {row['tier']} tier, {row['delivery_days']}-day delivery, "
        f"{row['revisions_allowed']} revision(s). No payment is taken: arrange payment with "
        "the freelancer."
    )


def move_line(
    action: str, row: asyncpg.Record, role: str, note: str | None, number: int | None
) -> str:
    """The line a move posts (``row``: the order as the move left it)."""
    return MOVE_LINES[action].format(
        due=_when(row["due_at"]),
        note=note,
        role=role,
        number=number,
        used=row["revisions_used"],
        allowed=row["revisions_allowed"],
    )


async def post_line(
    db: Database,
    tx: Transaction,
    row: asyncpg.Record,
    *,
    sender_id: uuid.UUID,
    text: str,
    mark_read: bool,
) -> None:
    """The system line about ``row`` (the order as the move left it)."""
    if row["conversation_id"] is None:  # the conversation was deleted
        return
    await system.post_system_line(
        db,
        tx,
        conversation_id=row["conversation_id"],
        sender_id=sender_id,
        text=text,
        key=f"order:{row['id']}:{row['version']}",
        mark_read=mark_read,
    )
