"""An order's conversation: opened with the order, a system line for every move.

The messaging domain owns conversations and messages (server/messaging/system.py); this
module only says what an order posts there and under which idempotency key (one line per
version of the order, so a move retried after its commit never posts twice).
"""

from __future__ import annotations

import uuid

import asyncpg

from server.db import Database, Transaction
from server.messaging import system


async def open_conversation(
    db: Database,
    tx: Transaction,
    *,
    order_id: uuid.UUID,
    buyer_id: uuid.UUID,
    seller_id: uuid.UUID,
    title: str,
) -> uuid.UUID:
    return await system.open_order_conversation(
        db, tx, order_id=order_id, buyer_id=buyer_id, seller_id=seller_id, title=title
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
