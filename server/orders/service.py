"""Gig orders: placing one, reading it, and moving it through the state machine.

Who is who, for one order: its ``buyer`` and its ``seller`` (the gig's freelancer when it
was ordered). Anyone else is told the order does not exist. Each move is one transaction:
the compare-and-set on the order's version, the timeline event, what the move records
(a delivery, a revision request), the durable jobs it schedules, the system line in the
order's conversation, and the notification to the other party. Events leave after commit.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec

from server.auth.service import hold_live_account
from server.config import Settings
from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from server.messaging import system
from server.notifications.service import NotificationService
from server.orders import chat, events, schemas, states
from server.orders.states import Action, Role
from server.paging import AwareDatetime, decode_cursor, keyset_page
from server.uploads.refs import FileRef, require_uploads, upload_id_in

NO_SUCH_ORDER = "no such order"
NO_SUCH_GIG = "no such gig"
TIER_NAMES = ("basic", "standard", "premium")
ORDER_FILE = "order_file"
# What a tier stored without `revisions` allows (migration 0024 gave existing tiers 1).
DEFAULT_REVISIONS = 1


def role_of(row: asyncpg.Record, user_id: uuid.UUID) -> Role | None:
    if row["buyer_id"] == user_id:
        return states.BUYER
    if row["seller_id"] == user_id:
        return states.SELLER
    return None


def revisions_left(row: asyncpg.Record) -> int:
    return row["revisions_allowed"] - row["revisions_used"]


def _party(row: asyncpg.Record, who: str) -> dict[str, Any]:
    return {
        "id": row[f"{who}_id"],
        "name": row[f"{who}_name"],
        "avatar_url": row[f"{who}_avatar_url"],
    }


def _summary_fields(row: asyncpg.Record, role: Role, settings: Settings) -> dict[str, Any]:
    data = dict(row)
    for who in ("buyer", "seller"):
        data[who] = _party(row, who)
        for key in ("id", "name", "avatar_url"):
            data.pop(f"{who}_{key}")
    auto_complete_at = None
    if row["status"] == "delivered" and row["delivered_at"] is not None:
        auto_complete_at = row["delivered_at"] + timedelta(days=settings.order_auto_complete_days)
    data["auto_complete_at"] = auto_complete_at
    data["actions"] = states.allowed_actions(row["status"], role, revisions_left(row))
    return data


def to_summary(row: asyncpg.Record, role: Role, settings: Settings) -> schemas.OrderSummary:
    return msgspec.convert(_summary_fields(row, role, settings), schemas.OrderSummary)


def _created_key(row: asyncpg.Record) -> tuple:
    return (row["created_at"], row["id"])


def _statuses(wanted: schemas.StatusFilter | None) -> list[str] | None:
    if wanted is None:
        return None
    if wanted == "active":
        return list(states.ACTIVE)
    if wanted == "closed":
        return list(states.CLOSED)
    return [wanted]


def _tier_of(gig: asyncpg.Record, name: str) -> dict[str, Any]:
    """The tier ``name`` as the gig offers it now; 422 on body.tier when it does not."""
    tiers = gig["pricing_tiers"] or {}
    tier = tiers.get(name)
    if not isinstance(tier, dict):
        offered = ", ".join(n for n in TIER_NAMES if isinstance(tiers.get(n), dict))
        raise Invalid(
            f"body.tier: this gig has no {name} tier",
            [
                FieldError(
                    field="body.tier", message=f"this gig has no {name} tier; it offers {offered}"
                )
            ],
        )
    return tier


class OrderService:
    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.q = db.q.orders
        self.settings = settings
        # Stored in the change's transaction, emitted after its commit (events.py says who).
        self.notifications = NotificationService(db)

    # -- reading ------------------------------------------------------------------------

    async def _full(
        self, conn: asyncpg.Connection, row: asyncpg.Record, role: Role
    ) -> schemas.Order:
        deliveries = await fetch_all(self.q.list_order_deliveries, conn, order_id=row["id"])
        timeline = await fetch_all(self.q.list_order_events, conn, order_id=row["id"])
        data = _summary_fields(row, role, self.settings)
        data["deliveries"] = [dict(d) for d in deliveries]
        data["events"] = [dict(e) for e in timeline]
        return msgspec.convert(data, schemas.Order)

    async def get(self, user_id: uuid.UUID, order_id: uuid.UUID) -> schemas.Order:
        """One order, for its buyer or seller; anyone else: 404. The order, its deliveries
        and its timeline are read from one snapshot, so they agree with each other."""
        async with (
            self.db.connection() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            row = await self.q.get_order(conn, order_id=order_id)
            role = role_of(row, user_id) if row else None
            if row is None or role is None:
                raise NotFound(NO_SUCH_ORDER)
            return await self._full(conn, row, role)

    async def list_mine(
        self, user_id: uuid.UUID, query: schemas.OrderListQuery
    ) -> schemas.OrderPage:
        after = decode_cursor(query.cursor, (AwareDatetime, uuid.UUID))
        listing = self.q.list_buyer_orders if query.role == "buyer" else self.q.list_seller_orders
        async with self.db.connection() as conn:
            rows = await fetch_all(
                listing,
                conn,
                user_id=user_id,
                statuses=_statuses(query.status),
                after_created_at=after[0] if after else None,
                after_id=after[1] if after else None,
                limit=query.limit + 1,  # one more than the page tells whether there is a next
            )
        page, next_cursor = keyset_page(rows, query.limit, _created_key)
        role: Role = query.role  # type: ignore[assignment]
        return schemas.OrderPage(
            items=[to_summary(r, role, self.settings) for r in page], next=next_cursor
        )

    # -- placing an order ---------------------------------------------------------------

    async def _files(
        self, conn: asyncpg.Connection, owner_id: uuid.UUID, field: str, urls: list[str]
    ) -> list[dict[str, Any]]:
        """The files named by ``urls`` (each a completed `order_file` upload of the
        owner's; 422 on ``field[i]`` otherwise), as the order keeps them."""
        stripped = [url.strip() for url in urls]
        await require_uploads(
            self.db,
            conn,
            owner_id,
            # Each refusal names the item as sent (its index before repeats are dropped).
            [FileRef(f"{field}[{i}]", url, ORDER_FILE) for i, url in enumerate(stripped)],
        )
        urls = list(dict.fromkeys(stripped))
        if not urls:
            return []
        ids = [upload_id_in(url) for url in urls]
        rows = await fetch_all(self.q.list_order_files, conn, upload_ids=ids)
        found = {row["id"]: row for row in rows}
        return [
            {
                "url": found[i]["url"],
                "filename": found[i]["filename"],
                "content_type": found[i]["content_type"],
                "size": found[i]["size"],
            }
            for i in ids
        ]

    async def place(
        self, user_id: uuid.UUID, gig_id: uuid.UUID, body: schemas.OrderCreate
    ) -> schemas.Order:
        """Order one tier of an active gig; its terms are copied onto the order."""
        async with self.db.transaction() as tx:
            await hold_live_account(self.db, tx, user_id)
            gig = await self.q.get_gig_to_order(tx.conn, gig_id=gig_id)
            if gig is None or gig["status"] != "active":
                raise NotFound(NO_SUCH_GIG)
            if gig["freelancer_id"] == user_id:
                raise Forbidden("you cannot order your own gig")
            tier = _tier_of(gig, body.tier)
            attachments = await self._files(tx.conn, user_id, "body.attachments", body.attachments)
            order_id = await self.q.insert_order(
                tx.conn,
                gig_id=gig_id,
                buyer_id=user_id,
                seller_id=gig["freelancer_id"],
                gig_title=gig["title"],
                tier=body.tier,
                tier_description=tier["description"],
                price=tier["price"],
                currency=tier["currency"],
                delivery_days=tier["delivery_days"],
                revisions_allowed=tier.get("revisions", DEFAULT_REVISIONS),
                requirements=body.requirements.strip(),
                attachments=attachments,
            )
            await self.q.insert_order_event(
                tx.conn,
                order_id=order_id,
                action=states.CREATE,
                actor_id=user_id,
                from_status=None,
                to_status="requested",
                note=None,
            )
            conversation_id = await system.open_order_conversation(
                self.db, tx, order_id=order_id, buyer_id=user_id, seller_id=gig["freelancer_id"]
            )
            await self.q.set_order_conversation(
                tx.conn, order_id=order_id, conversation_id=conversation_id
            )
            row = await self.q.get_order(tx.conn, order_id=order_id)
            await chat.post_line(
                self.db, tx, row, sender_id=user_id, text=chat.placed_line(row), mark_read=True
            )
            await self.notifications.notify(
                tx,
                (row["seller_id"],),
                events.ORDER_CREATED,
                events.notice(row, states.CREATE, user_id, None, row["created_at"]),
            )
            return await self._full(tx.conn, row, states.BUYER)

    # -- moving an order ----------------------------------------------------------------

    async def act(
        self,
        user_id: uuid.UUID,
        order_id: uuid.UUID,
        action: Action,
        body: msgspec.Struct | None = None,
    ) -> schemas.Order:
        """Take ``action`` on an order as its buyer or seller (states.py has the rules)."""
        async with self.db.transaction() as tx:
            row = await self.q.get_order(tx.conn, order_id=order_id)
            role = role_of(row, user_id) if row else None
            if row is None or role is None:
                raise NotFound(NO_SUCH_ORDER)
            states.check(action, row["status"], role, revisions_left(row))
            files: list[dict[str, Any]] = []
            if isinstance(body, schemas.OrderDeliver):
                files = await self._files(tx.conn, user_id, "body.files", body.files)
            fresh = await self._move(tx, row, action, role, user_id, body, files)
            if fresh is None:
                current = await self.q.get_order(tx.conn, order_id=order_id)
                allowed = states.describe(
                    states.allowed_actions(current["status"], role, revisions_left(current))
                )
                raise Conflict(
                    f"the order changed meanwhile (it is {current['status']} now); "
                    f"allowed now: {allowed}"
                )
            return await self._full(tx.conn, fresh, role)

    async def _compare_and_set(
        self,
        tx: Transaction,
        row: asyncpg.Record,
        action: Action,
        actor_id: uuid.UUID | None,
        note: str | None,
    ) -> int | None:
        """Move ``row`` from the version it was read at; the new version, or None."""
        q, conn = self.q, tx.conn
        key = {"order_id": row["id"], "version": row["version"]}
        target = states.TRANSITIONS[action].target
        if action == "accept":
            return await q.accept_order(conn, **key)
        if action in ("decline", "cancel"):
            return await q.close_order(conn, **key, status=target, closed_by=actor_id, reason=note)
        if action == "deliver":
            return await q.deliver_order(conn, **key)
        if action == "request-revision":
            return await q.request_order_revision(conn, **key)
        return await q.complete_order(conn, **key, closed_by=actor_id)

    async def _move(
        self,
        tx: Transaction,
        row: asyncpg.Record,
        action: Action,
        role: Role,
        actor_id: uuid.UUID | None,
        body: msgspec.Struct | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> asyncpg.Record | None:
        """Apply one transition to ``row``; the order as it is after, or None when it moved
        meanwhile (nothing written)."""
        q = self.q
        note = None
        if isinstance(body, schemas.OrderDecline | schemas.OrderCancel):
            note = body.reason.strip()
        elif isinstance(body, schemas.OrderRevisionRequest):
            note = body.message.strip()
        if await self._compare_and_set(tx, row, action, actor_id, note) is None:
            return None
        target = states.TRANSITIONS[action].target
        number = None
        if isinstance(body, schemas.OrderDeliver):
            number = await q.insert_order_delivery(
                tx.conn, order_id=row["id"], message=body.message.strip(), files=files or []
            )
            await q.schedule_order_auto_complete(
                tx.conn,
                order_id=row["id"],
                delay_seconds=self.settings.order_auto_complete_days * 86400,
            )
        if action == "request-revision":
            await q.record_revision_request(tx.conn, order_id=row["id"], message=note)
        if action in ("accept", "request-revision"):
            await q.schedule_order_due_reminder(
                tx.conn,
                order_id=row["id"],
                lead_seconds=self.settings.order_due_reminder_hours * 3600,
            )
        await q.insert_order_event(
            tx.conn,
            order_id=row["id"],
            action=action,
            actor_id=actor_id,
            from_status=row["status"],
            to_status=target,
            note=note,
        )
        fresh = await q.get_order(tx.conn, order_id=row["id"])
        await chat.post_line(
            self.db,
            tx,
            fresh,
            # The platform's line is posted in the buyer's name, left unread by them.
            sender_id=actor_id or fresh["buyer_id"],
            text=chat.move_line(action, fresh, role, note, number),
            mark_read=actor_id is not None,
        )
        await self.notifications.notify(
            tx,
            events.status_recipients(fresh, role),
            events.ORDER_STATUS,
            events.notice(fresh, action, actor_id, row["status"], fresh["status_changed_at"]),
        )
        return fresh

    # -- the platform's moves (server/orders/worker.py) ---------------------------------

    async def auto_complete(self, order_id: uuid.UUID, version: int) -> bool:
        """Complete a delivered order the buyer left unanswered, if it is still as the job
        found it (delivered, at ``version``); whether it did. A job run twice completes once."""
        async with self.db.transaction() as tx:
            locked = await self.q.lock_order(tx.conn, order_id=order_id)
            if locked is None or locked["version"] != version or locked["status"] != "delivered":
                return False
            row = await self.q.get_order(tx.conn, order_id=order_id)
            return await self._move(tx, row, "auto-complete", states.PLATFORM, None) is not None

    async def remind_due(self, order_id: uuid.UUID, version: int) -> bool:
        """Tell the seller an order is due soon, if it is still in the work the job was
        queued for (in progress or in revision, at ``version``) and nobody was told yet."""
        async with self.db.transaction() as tx:
            locked = await self.q.lock_order(tx.conn, order_id=order_id)
            if (
                locked is None
                or locked["version"] != version
                or locked["status"] not in ("in_progress", "in_revision")
            ):
                return False
            if await self.q.count_order_reminders_since(
                tx.conn, order_id=order_id, since=locked["status_changed_at"]
            ):
                return False
            reminded_at = await self.q.insert_order_event(
                tx.conn,
                order_id=order_id,
                action=events.DUE_REMINDER,
                actor_id=None,
                from_status=locked["status"],
                to_status=locked["status"],
                note=None,
            )
            row = await self.q.get_order(tx.conn, order_id=order_id)
            await self.notifications.notify(
                tx,
                (row["seller_id"],),
                events.ORDER_DUE_SOON,
                events.notice(row, events.DUE_REMINDER, None, None, reminded_at),
            )
            return True
