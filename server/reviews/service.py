"""Reviews: the rules of docs/marketplace.md ("Reviews").

* Only the buyer of a completed order reviews it, once (1-5 stars, optional text).
* The buyer may change the stars and the text until 14 days after the review was written
  (``EDIT_DAYS``; a reply does not close the window); later 409.
* The seller replies once (409 on a second reply); the reply cannot be changed.
* Someone who is neither buyer nor seller gets 404 for the order, as for the order itself;
  the other party gets 403 for a move that is not theirs. A refusal changes nothing.
* ``order.reviewed`` tells the seller of a new review, ``order.review_replied`` the buyer
  of the reply, both with the orders' payload (server/orders/events.py), after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

import asyncpg
import msgspec
from msgspec import UNSET

from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, Forbidden, NotFound
from server.notifications.service import NotificationService
from server.paging import AwareDatetime, decode_cursor, keyset_page
from server.reviews import events, schemas

EDIT_DAYS = 14
NO_ORDER = "no such order"
NO_REVIEW = "this order has no review yet"


def to_review(row: asyncpg.Record) -> schemas.Review:
    data = dict(row)
    data["buyer"] = schemas.Reviewer(
        id=data.pop("buyer_id"),
        name=data.pop("buyer_name"),
        avatar_url=data.pop("buyer_avatar_url"),
    )
    return msgspec.convert(data, schemas.Review)


class ReviewService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.reviews
        self.notifications = NotificationService(db)

    async def _order(
        self, conn: asyncpg.Connection, caller_id: uuid.UUID, order_id: uuid.UUID
    ) -> asyncpg.Record:
        """The order, if the caller is its buyer or seller; 404 for anyone else."""
        order = await self.q.get_order_to_review(conn, order_id=order_id)
        if order is None or caller_id not in (order["buyer_id"], order["seller_id"]):
            raise NotFound(NO_ORDER)
        return order

    async def _review(self, conn: asyncpg.Connection, order_id: uuid.UUID) -> schemas.Review:
        row = await self.q.get_review_of_order(conn, order_id=order_id, edit_days=EDIT_DAYS)
        if row is None:
            raise NotFound(NO_REVIEW)
        return to_review(row)

    async def _lock_gig(
        self, conn: asyncpg.Connection, gig_id: uuid.UUID | None
    ) -> uuid.UUID | None:
        """Lock the reviewed gig before the review (as a gig's deletion does: no deadlock);
        None if it is gone, also when deleted since the order or review was read."""
        if gig_id is None:
            return None
        locked = await self.q.lock_reviewed_gig(conn, gig_id=gig_id)
        return None if locked is None else gig_id

    async def _notify(
        self, tx: Transaction, order: Mapping, type: str, actor: uuid.UUID, at: datetime
    ) -> None:
        recipient, payload = events.review_notice(order, type, actor, at)
        await self.notifications.notify(tx, [recipient], type, payload)

    async def create(
        self, caller_id: uuid.UUID, order_id: uuid.UUID, body: schemas.ReviewCreate
    ) -> schemas.Review:
        async with self.db.transaction() as tx:
            order = await self._order(tx.conn, caller_id, order_id)
            if caller_id != order["buyer_id"]:
                raise Forbidden("only the order's buyer may review it")
            if order["status"] != "completed":
                raise Conflict(
                    f"only a completed order can be reviewed; this one is {order['status']}"
                )
            # The gig as it is now: a deletion since the order was read leaves None.
            order = {**order, "gig_id": await self._lock_gig(tx.conn, order["gig_id"])}
            inserted = await self.q.insert_review(
                tx.conn,
                order_id=order_id,
                gig_id=order["gig_id"],
                seller_id=order["seller_id"],
                buyer_id=caller_id,
                rating=body.rating,
                body=body.text.strip(),
            )
            if inserted is None:
                raise Conflict("this order is already reviewed: change the review with PATCH")
            review = await self._review(tx.conn, order_id)
            await self._notify(tx, order, events.ORDER_REVIEWED, caller_id, review.created_at)
        return review

    async def update(
        self, caller_id: uuid.UUID, order_id: uuid.UUID, body: schemas.ReviewUpdate
    ) -> schemas.Review:
        fields = [name for name in ("rating", "text") if getattr(body, name) is not UNSET]
        async with self.db.transaction() as tx:
            order = await self._order(tx.conn, caller_id, order_id)
            if caller_id != order["buyer_id"]:
                raise Forbidden("only the order's buyer may change its review")
            current = await self.q.get_review_of_order(
                tx.conn, order_id=order_id, edit_days=EDIT_DAYS
            )
            if current is not None:
                await self._lock_gig(tx.conn, current["gig_id"])
            locked = await self.q.lock_review_of_order(
                tx.conn, order_id=order_id, edit_days=EDIT_DAYS
            )
            if locked is None:
                raise NotFound(NO_REVIEW)
            if not locked["editable"]:
                raise Conflict(
                    f"a review can be changed only within {EDIT_DAYS} days of writing it"
                )
            if fields:
                await self.q.update_review(
                    tx.conn,
                    order_id=order_id,
                    fields=fields,
                    rating=None if body.rating is UNSET else body.rating,
                    body=None if body.text is UNSET else body.text.strip(),
                )
            return await self._review(tx.conn, order_id)

    async def reply(
        self, caller_id: uuid.UUID, order_id: uuid.UUID, body: schemas.ReviewReply
    ) -> schemas.Review:
        async with self.db.transaction() as tx:
            order = await self._order(tx.conn, caller_id, order_id)
            if caller_id != order["seller_id"]:
                raise Forbidden("only the order's seller may reply to its review")
            locked = await self.q.lock_review_of_order(
                tx.conn, order_id=order_id, edit_days=EDIT_DAYS
            )
            if locked is None:
                raise NotFound(NO_REVIEW)
            if locked["replied"]:
                raise Conflict("this review already has your reply")
            await self.q.reply_to_review(tx.conn, order_id=order_id, reply=body.text.strip())
            review = await self._review(tx.conn, order_id)
            assert review.replied_at is not None
            await self._notify(tx, order, events.ORDER_REVIEW_REPLIED, caller_id, review.replied_at)
        return review

    async def get(self, caller_id: uuid.UUID, order_id: uuid.UUID) -> schemas.Review:
        async with self.db.connection() as conn:
            await self._order(conn, caller_id, order_id)
            return await self._review(conn, order_id)

    async def list_for_gig(
        self, viewer_id: uuid.UUID | None, gig_id: uuid.UUID, query: schemas.ReviewListQuery
    ) -> schemas.GigReviewPage:
        """A gig's reviews, newest first; a paused gig's only for its freelancer (as the
        gig itself)."""
        after = decode_cursor(query.cursor, (AwareDatetime, uuid.UUID)) or (None, None)
        async with self.db.connection() as conn:
            gig = await self.q.get_gig_rating(conn, gig_id=gig_id)
            if gig is None or (gig["status"] == "paused" and gig["freelancer_id"] != viewer_id):
                raise NotFound("no such gig")
            rows = await fetch_all(
                self.q.list_gig_reviews,
                conn,
                gig_id=gig_id,
                edit_days=EDIT_DAYS,
                after_created_at=after[0],
                after_id=after[1],
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["created_at"], r["id"]))
        return schemas.GigReviewPage(
            items=[to_review(row) for row in page],
            next=next_cursor,
            rating_avg=gig["rating_avg"],
            rating_count=gig["rating_count"],
        )

    async def seller_rating(self, user_id: uuid.UUID) -> schemas.SellerRating:
        async with self.db.connection() as conn:
            row = await self.q.get_seller_rating(conn, user_id=user_id)
        if row is None:
            raise NotFound("no such user")
        return schemas.SellerRating(rating_avg=row["rating_avg"], rating_count=row["rating_count"])
