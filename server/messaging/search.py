"""Finding things in messaging: full-text message search, what a conversation is about,
and whom a user may start a conversation with (docs/messaging.md "Search", "About",
"Contacts"). Queries in sql/messaging/search.sql.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime

import asyncpg

from server.db import Database, fetch_all, like_contains
from server.errors import BadRequest
from server.messaging import schemas
from server.messaging.resume import to_message
from server.paging import decode_cursor, keyset_page
from server.ratelimit import TokenBucket

# ts_headline marks matches with these (search.sql removes them from the content first).
_START, _STOP = "\x02", "\x03"


def safe_highlight(headline: str) -> str:
    """The excerpt as HTML: the message's text escaped, its matches in <mark>."""
    return html.escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")


# Reading one match of the word through the index costs about as much as testing five
# messages on the walk (reading each and its stored search_vector): EXPLAIN ANALYZE on a
# million messages, ~0.5 us a message walked, ~3 us a match of the word in the whole table
# for the indexed statement.
INDEX_MATCH_COST = 5


def walk_is_cheaper(estimate: asyncpg.Record, wanted: int) -> bool:
    """Walk the user's conversations (about ``wanted`` / share messages each, at most all
    of theirs) rather than read every match from the index (about share x all messages)?

    PostgreSQL cannot make this choice well itself: it prices a conversation at the
    average conversation's size (so it walks a long one to its start for a rare word, or
    reads and sorts it whole for a common one), and a prefix at a flat 2% until its
    statistics hold 100 common lexemes."""
    share = estimate["share"]
    if not share:
        return False  # no statistics yet: a small table, where the index is right
    walked = min(estimate["conversations"] * wanted / share, estimate["user_messages"])
    indexed = max(estimate["messages"], 0) * share
    return walked < indexed * INDEX_MATCH_COST


class SearchService:
    def __init__(self, db: Database, limiter: TokenBucket | None = None):
        self.db = db
        self.q = db.q.messaging
        self.limiter = limiter  # searches count against their own per-user bucket

    async def search(
        self, user_id: uuid.UUID, query: schemas.MessageSearchQuery
    ) -> schemas.MessageSearchPage:
        """Messages matching ``query.q`` in the user's conversations, newest first."""
        if self.limiter is not None:
            await self.limiter.check(user_id)
        after = decode_cursor(query.cursor, (datetime, uuid.UUID, int))
        cursor_at, cursor_conversation_id, cursor_seq = after if after else (None, None, None)
        if cursor_seq is not None and not 0 < cursor_seq <= schemas.MAX_SEQ:
            raise BadRequest("invalid cursor: pass back the `next` value of a previous page")
        async with self.db.connection() as conn:
            estimate = await self.q.get_search_estimate(conn, user_id=user_id, q=query.q)
            params = {
                "user_id": user_id,
                "q": query.q,
                "cursor_at": cursor_at,
                "cursor_conversation_id": cursor_conversation_id,
                "cursor_seq": cursor_seq,
                "limit": query.limit + 1,
            }
            if walk_is_cheaper(estimate, query.limit + 1):
                async with conn.transaction(readonly=True):
                    await self.q.prefer_index_order(conn)
                    rows = await fetch_all(self.q.search_messages_walk, conn, **params)
            else:
                async with conn.transaction(readonly=True):
                    await self.q.prefer_search_index(conn)
                    rows = await fetch_all(self.q.search_messages_indexed, conn, **params)
        page, next_cursor = keyset_page(
            rows, query.limit, lambda r: (r["sent_at"], r["conversation_id"], r["seq"])
        )
        return schemas.MessageSearchPage(
            items=[
                schemas.MessageSearchHit(
                    message=to_message(_without(row, "highlight")),
                    conversation_id=row["conversation_id"],
                    highlight=safe_highlight(row["highlight"]),
                )
                for row in page
            ],
            next=next_cursor,
        )

    async def contacts(
        self, user_id: uuid.UUID, query: schemas.ContactQuery
    ) -> schemas.ContactPage:
        """People the start policy lets the user start a conversation with, by name."""
        if self.limiter is not None:
            await self.limiter.check(user_id)
        name = query.q.strip() if query.q is not None else ""
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_contacts,
                conn,
                user_id=user_id,
                name_pattern=like_contains(name) if name else None,
                limit=query.limit,
            )
        return schemas.ContactPage(
            items=[
                schemas.Contact(
                    user=schemas.ContactUser(id=row["user_id"], full_name=row["full_name"]),
                    context=schemas.ContextRef(type=row["context_type"], id=row["context_id"]),
                    about=row["about"],
                )
                for row in rows
            ]
        )


async def conversation_about(
    db: Database,
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    conversation_ids: list[uuid.UUID],
) -> dict[uuid.UUID, schemas.ConversationAbout]:
    """What each conversation is about, as ``user_id`` sees it (one query for them all);
    absent for a conversation without a context or whose context is gone."""
    rows = await fetch_all(
        db.q.messaging.list_conversation_about,
        conn,
        user_id=user_id,
        conversation_ids=conversation_ids,
    )
    return {
        row["conversation_id"]: schemas.ConversationAbout(
            type=row["type"], id=row["id"], title=row["title"], url=row["url"]
        )
        for row in rows
        if row["title"] is not None
    }


def _without(row: asyncpg.Record, key: str) -> dict:
    values = dict(row)
    values.pop(key)
    return values
