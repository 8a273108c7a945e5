"""The platform's own lines in a conversation, and the conversations the platform opens:
an order's conversation between its buyer and seller, and the system line each of the
order's transitions posts in it (issue 16; docs/messaging.md "Order conversations and
system lines").

Both run inside the caller's transaction (server/orders/ opens the conversation with the
order and posts a line with every transition), so the line commits with the transition
or not at all, and its live event leaves only after the commit (``tx.emit``).

A system line is a message like any other (the conversation's next seq, the usual
``message`` event with the same payload, history, sync, search), marked ``kind =
'system'``: clients show it centred, without a sender's menu, and it cannot be edited,
deleted or reacted to (change_message answers ``system``: 409). Its idempotency key is
stored as its client_msg_id with the prefix ``"system "``: clients cannot send a
client_msg_id with a space (schemas.ClientMsgId), so no chat message can take a system
line's key first.
"""

from __future__ import annotations

import hashlib
import uuid

from server.db import Database, Transaction
from server.errors import NotFound
from server.messaging import events
from server.messaging.alerts import UnreadCounts
from server.messaging.messages import NOT_FOUND
from server.messaging.resume import to_message

ORDER_CONTEXT = "order"
KEY_PREFIX = "system "
MAX_KEY_CHARS = 64 - len(KEY_PREFIX)  # messages.client_msg_id is VARCHAR(64)


def stored_key(key: str) -> str:
    """The client_msg_id a system line's key is stored as: ``"system " + key``, or, for a
    key too long for the column, ``"system sha256:"`` and the start of its digest (still
    one value per key)."""
    if len(key) <= MAX_KEY_CHARS:
        return KEY_PREFIX + key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{KEY_PREFIX}sha256:{digest[: MAX_KEY_CHARS - len('sha256:')]}"


async def open_order_conversation(
    db: Database,
    tx: Transaction,
    *,
    order_id: uuid.UUID,
    buyer_id: uuid.UUID,
    seller_id: uuid.UUID,
) -> uuid.UUID:
    """Create the order's conversation (context ``order``/``order_id``, started by the
    buyer) with exactly the buyer and the seller in it, in ``tx``; return its id.

    No start policy runs: the order is the permission. No title is stored: the
    conversation's header reads "Order: <gig title>" from the order itself
    (search.sql list_conversation_about), so it names the order as long as it exists."""
    q = db.q.messaging
    conversation_id = await q.insert_conversation(
        tx.conn, created_by=buyer_id, context_type=ORDER_CONTEXT, context_id=order_id
    )
    members = [buyer_id, seller_id]
    await q.insert_participants(tx.conn, conversation_id=conversation_id, user_ids=members)
    tx.emit(events.conversation_started(members, conversation_id))
    return conversation_id


async def post_system_line(
    db: Database,
    tx: Transaction,
    *,
    conversation_id: uuid.UUID,
    sender_id: uuid.UUID,
    text: str,
    key: str,
    mark_read: bool,
) -> None:
    """Post ``text`` as a system line from ``sender_id`` (the actor) in ``tx``.

    Idempotent on (sender_id, key): a key already posted writes nothing and emits nothing.
    Otherwise the line takes the conversation's next seq under its row lock (the lock
    every writer of a conversation takes first, as send_messages does), every participant
    gets the ``message`` event after the commit, and those it made newly unread their
    ``unread`` count (alerts.py). ``mark_read``: the sender has read it, if they had read
    everything before it (their unread messages stay unread); False for a line the
    platform posts on someone's behalf (automatic completion)."""
    if not text.strip() or "\x00" in text:
        raise ValueError("a system line needs text (without NUL characters)")
    if not key:
        raise ValueError("a system line needs a key")
    q = db.q.messaging
    if await q.lock_conversation(tx.conn, conversation_id=conversation_id) is None:
        raise NotFound(NOT_FOUND)
    row = await q.insert_system_line(
        tx.conn,
        conversation_id=conversation_id,
        sender_id=sender_id,
        content=text,
        client_msg_id=stored_key(key),
        mark_read=mark_read,
    )
    if row is None:
        return  # posted before under this key
    data = dict(row)
    recipients = data.pop("recipients")
    message = to_message(data)
    tx.emit(events.message_sent(recipients, message))
    base = {conversation_id: message.seq - 1}
    unread = UnreadCounts(db)
    tx.after_commit(lambda: unread.announce(bases=base))
