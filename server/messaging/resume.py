"""Resume: what a reconnecting client missed, read from PostgreSQL in one snapshot.

A client keeps, per conversation, the highest seq it has seen and the conversation's change
counter (``last_rev``) it has caught up to: messages above the seq come in their latest
state, changes (edits, deletions, reactions: changes.py) to the messages below it come as
``changed``, oldest change first. Whatever happened while it
was away (a dropped socket, an instance that died, a week offline), ``resume`` answers from
the committed rows, so nothing depends on what an instance held in memory. The answer is
bounded: at most MAX_SYNC_CONVERSATIONS conversations and one page of messages each; the
flags tell the client where to page on (history for messages, the REST list for more
conversations).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec

from server.db import Database, fetch_all
from server.messaging import schemas

# Most recent activity first; a user in more conversations lists the rest over REST.
MAX_SYNC_CONVERSATIONS = 200


def to_message(row: asyncpg.Record) -> schemas.Message:
    data = dict(row)
    if data.get("reactions") is None:  # never reacted to (SQL NULL, not [])
        data.pop("reactions", None)
    return msgspec.convert(data, schemas.Message)


def snapshot(conn: asyncpg.Connection) -> Any:
    """A read-only snapshot, so rows read by several queries agree with each other even
    while messages arrive between them."""
    return conn.transaction(isolation="repeatable_read", readonly=True)


async def resume(db: Database, user_id: uuid.UUID, body: schemas.ChatSync) -> schemas.SyncResult:
    """For each of the user's conversations: the messages above its cursor (no cursor: 0),
    up to ``body.limit`` oldest first; the messages at or below it changed since its rev
    cursor (``body.revs``, missing: 0), up to ``body.limit`` oldest change first; and every
    participant's read marker; plus the cursors the client holds for conversations it is
    no longer (or never was) in."""
    q = db.q.messaging
    async with db.connection() as conn, snapshot(conn):
        rows = await fetch_all(
            q.list_sync_conversations, conn, user_id=user_id, limit=MAX_SYNC_CONVERSATIONS + 1
        )
        truncated = len(rows) > MAX_SYNC_CONVERSATIONS
        rows = rows[:MAX_SYNC_CONVERSATIONS]
        ids = [row["id"] for row in rows]
        behind = [row for row in rows if row["last_seq"] > body.cursors.get(row["id"], 0)]
        messages: dict[uuid.UUID, list[schemas.Message]] = {i: [] for i in ids}
        for m in await fetch_all(
            q.list_messages_after_each,
            conn,
            conversation_ids=[row["id"] for row in behind],
            afters=[body.cursors.get(row["id"], 0) for row in behind],
            limit=body.limit + 1,  # one more than a page says whether there is more
        ):
            messages[m["conversation_id"]].append(to_message(m))
        # Changes to messages the client holds (seq <= its cursor) since its rev cursor.
        stale = [
            row
            for row in rows
            if body.cursors.get(row["id"], 0) > 0 and row["last_rev"] > body.revs.get(row["id"], 0)
        ]
        changed: dict[uuid.UUID, list[schemas.Message]] = {i: [] for i in ids}
        for m in await fetch_all(
            q.list_changed_messages_each,
            conn,
            conversation_ids=[row["id"] for row in stale],
            seqs=[body.cursors[row["id"]] for row in stale],
            revs=[body.revs.get(row["id"], 0) for row in stale],
            limit=body.limit + 1,
        ):
            changed[m["conversation_id"]].append(to_message(m))
        markers: dict[uuid.UUID, list[schemas.ReadMarker]] = {i: [] for i in ids}
        for p in await fetch_all(q.list_participants, conn, conversation_ids=ids):
            markers[p["conversation_id"]].append(
                schemas.ReadMarker(user_id=p["id"], seq=p["last_read_seq"])
            )
        known = list(body.cursors)
        # Asked separately: a known conversation may lie beyond a truncated page.
        members = {
            r["conversation_id"]
            for r in await fetch_all(
                q.list_member_conversation_ids, conn, user_id=user_id, conversation_ids=known
            )
        }
    return schemas.SyncResult(
        conversations=[
            schemas.SyncConversation(
                conversation_id=row["id"],
                last_seq=row["last_seq"],
                messages=messages[row["id"]][: body.limit],
                more=len(messages[row["id"]]) > body.limit,
                read=markers[row["id"]],
                new=row["id"] not in body.cursors,
                last_rev=row["last_rev"],
                changed=changed[row["id"]][: body.limit],
                changed_more=len(changed[row["id"]]) > body.limit,
            )
            for row in rows
        ],
        gone=[c for c in known if c not in members],
        truncated=truncated,
    )
