"""Gigs: creation by freelancers, owner-only edits, visibility of paused gigs, search."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import msgspec
from msgspec import UNSET

from server.db import Database, fetch_all
from server.errors import BadRequest, FieldError, Forbidden, Invalid, NotFound
from server.fields import clean, normalize_skills
from server.gigs import schemas
from server.gigs.badges import seller_badge
from server.paging import AwareDatetime, decode_cursor, encode_cursor
from server.uploads.refs import FileRef, require_uploads

TIERS = ("basic", "standard", "premium")
UPDATABLE = ("title", "description", "skills", "pricing_tiers", "media_gallery", "status")


def tier_errors(tiers: schemas.PricingTiers) -> list[FieldError]:
    """One currency for all tiers, and prices that never decrease basic → premium."""
    errors = []
    currency = tiers.basic.currency
    previous: tuple[str, schemas.Tier] | None = None
    for name in TIERS:
        tier = getattr(tiers, name)
        if tier is None:
            continue
        if tier.currency != currency:
            errors.append(
                FieldError(
                    field=f"body.pricing_tiers.{name}.currency",
                    message=f"must be {currency}, the basic tier's currency",
                )
            )
        if previous is not None and tier.price < previous[1].price:
            errors.append(
                FieldError(
                    field=f"body.pricing_tiers.{name}.price",
                    message=f"must not be lower than the {previous[0]} tier's price",
                )
            )
        previous = (name, tier)
    return errors


def check_tiers(tiers: schemas.PricingTiers) -> schemas.PricingTiers:
    errors = tier_errors(tiers)
    if errors:
        raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)
    tidied = {}
    for name in TIERS:
        tier = getattr(tiers, name)
        if tier is not None:
            tidied[name] = msgspec.structs.replace(tier, description=tier.description.strip())
    return msgspec.structs.replace(tiers, **tidied)


def tidy_gallery(items: list[schemas.MediaItem]) -> list[schemas.MediaItem]:
    return [msgspec.structs.replace(item, title=clean(item.title)) for item in items]


def media_refs(items: list[schemas.MediaItem]) -> list[FileRef]:
    """Each gallery item is an uploaded image or video, as its `type` says."""
    return [
        FileRef(f"body.media_gallery[{i}].url", item.url, "gig_media", (item.type,))
        for i, item in enumerate(items)
    ]


def to_gig(row) -> schemas.Gig:
    data = dict(row)
    data.pop("rank", None)
    return msgspec.convert(data, schemas.Gig)


def to_card(row) -> schemas.GigCard:
    data = dict(row)
    data["currency"] = data.pop("from_currency")
    data["delivery_days"] = data.pop("from_delivery_days")
    rating = data["rating_avg"]
    data["rating_avg"] = None if rating is None else float(rating)
    data["seller_badge"] = seller_badge(
        data.pop("seller_completed_orders"),
        data.pop("seller_rating_count"),
        data.pop("seller_rating_sum"),
    )
    return msgspec.convert(data, schemas.GigCard)


# The sort key each sort's cursor carries after the sort's name (the gig id comes last).
CURSOR_KEYS: dict[str, tuple[type, ...]] = {
    "newest": (AwareDatetime,),
    "rating": (Decimal, int),
    "price": (int,),
    "relevance": (float,),
}
KEY_COLUMNS = {
    "newest": ("created_at",),
    "rating": ("rating", "rating_count"),
    "price": ("from_price",),
    "relevance": ("rank",),
}
AFTER_PARAMS = {
    "newest": ("after_created_at",),
    "rating": ("after_rating", "after_count"),
    "price": ("after_price",),
    "relevance": ("after_rank",),
}


def gig_cursor(sort: str, row) -> str:
    return encode_cursor(sort, *(row[column] for column in KEY_COLUMNS[sort]), row["id"])


def after_params(sort: str, cursor: str | None) -> dict[str, Any]:
    """The keyset parameters of the page after ``cursor``; a cursor made for another sort
    (or by hand, with a value no sort key can hold) is refused (400)."""
    params: dict[str, Any] = dict.fromkeys((*AFTER_PARAMS[sort], "after_id"))
    if cursor is None:
        return params
    try:
        values = decode_cursor(cursor, (str, *CURSOR_KEYS[sort], uuid.UUID))
    except BadRequest:
        values = None
    if values is None or values[0] != sort:
        raise BadRequest(
            "invalid cursor: pass back the `next` value of a previous page of the same sort"
            " (a cursor made for another sort is refused; start from the first page)"
        )
    # A hand-made key must not reach PostgreSQL with a value its column cannot hold.
    ceiling = 2**63 if sort == "price" else 2**31
    if any(
        # An average has two decimals; an exponent far from that (1e-20000, 0e+99999)
        # is not a NUMERIC PostgreSQL accepts.
        (
            isinstance(v, Decimal)
            and not (v.is_finite() and abs(v) < 10 and -16 <= v.as_tuple().exponent <= 0)
        )
        or (isinstance(v, int) and not -ceiling <= v < ceiling)
        for v in values
    ):
        raise BadRequest("invalid cursor: pass back the `next` value of a previous page")
    params.update(zip((*AFTER_PARAMS[sort], "after_id"), values[1:], strict=True))
    return params


def search_errors(query: schemas.GigSearch, text: str) -> list[FieldError]:
    errors = []
    if query.sort == "relevance" and not text:
        errors.append(
            FieldError(
                field="query.sort",
                message="relevance needs search words (q); sort by rating, price or newest",
            )
        )
    priced = query.min_price is not None or query.max_price is not None or query.sort == "price"
    if priced and query.currency is None:
        errors.append(
            FieldError(
                field="query.currency",
                message="required with a price bound or sort=price: prices are compared "
                "within one currency",
            )
        )
    if (
        query.min_price is not None
        and query.max_price is not None
        and query.min_price > query.max_price
    ):
        errors.append(FieldError(field="query.max_price", message="must not be below min_price"))
    return errors


class GigService:
    def __init__(self, db: Database):
        self.db = db

    async def create(
        self, caller_id: uuid.UUID, caller_roles: tuple[str, ...], body: schemas.GigCreate
    ) -> schemas.Gig:
        if "freelancer" not in caller_roles:
            raise Forbidden("add the freelancer role (POST /api/me/roles) before creating a gig")
        tiers = check_tiers(body.pricing_tiers)
        async with self.db.connection() as conn:
            await require_uploads(self.db, conn, caller_id, media_refs(body.media_gallery))
            row = await self.db.q.gigs.insert_gig(
                conn,
                freelancer_id=caller_id,
                title=body.title.strip(),
                description=body.description.strip(),
                skills=normalize_skills(body.skills, lower=True),
                pricing_tiers=tiers,
                media_gallery=tidy_gallery(body.media_gallery),
            )
        return to_gig(row)

    async def get(self, viewer_id: uuid.UUID | None, gig_id: uuid.UUID) -> schemas.Gig:
        async with self.db.connection() as conn:
            row = await self.db.q.gigs.get_gig(conn, gig_id=gig_id)
        if row is None or (row["status"] == "paused" and row["freelancer_id"] != viewer_id):
            raise NotFound("no such gig")
        return to_gig(row)

    @staticmethod
    def _require_owner(row, caller_id: uuid.UUID, action: str) -> None:
        if row is None:
            raise NotFound("no such gig")
        if row["freelancer_id"] != caller_id:
            # A paused gig does not exist for anyone but its freelancer.
            if row["status"] == "paused":
                raise NotFound("no such gig")
            raise Forbidden(f"only the gig's freelancer may {action} it")

    async def update(
        self, caller_id: uuid.UUID, gig_id: uuid.UUID, body: schemas.GigUpdate
    ) -> schemas.Gig:
        values: dict[str, object] = {name: None for name in UPDATABLE}
        given = [name for name in UPDATABLE if getattr(body, name) is not UNSET]
        if body.title is not UNSET:
            values["title"] = body.title.strip()
        if body.description is not UNSET:
            values["description"] = body.description.strip()
        if body.skills is not UNSET:
            values["skills"] = normalize_skills(body.skills, lower=True)
        if body.media_gallery is not UNSET:
            values["media_gallery"] = tidy_gallery(body.media_gallery)
        if body.status is not UNSET:
            values["status"] = body.status
        q = self.db.q.gigs
        async with self.db.transaction() as tx:
            self._require_owner(await q.lock_gig(tx.conn, gig_id=gig_id), caller_id, "edit")
            # Checked after ownership so a stranger learns nothing from a 422.
            if body.pricing_tiers is not UNSET:
                values["pricing_tiers"] = check_tiers(body.pricing_tiers)
            if body.media_gallery is not UNSET:
                current = to_gig(await q.get_gig(tx.conn, gig_id=gig_id))
                keep = {item.url for item in current.media_gallery}
                await require_uploads(
                    self.db, tx.conn, caller_id, media_refs(body.media_gallery), keep
                )
            if not given:
                return to_gig(await q.get_gig(tx.conn, gig_id=gig_id))
            row = await q.update_gig(tx.conn, gig_id=gig_id, fields=given, **values)
            return to_gig(row)

    async def delete(self, caller_id: uuid.UUID, gig_id: uuid.UUID) -> None:
        q = self.db.q.gigs
        async with self.db.transaction() as tx:
            self._require_owner(await q.lock_gig(tx.conn, gig_id=gig_id), caller_id, "delete")
            await q.delete_gig(tx.conn, gig_id=gig_id)

    async def list_own(self, freelancer_id: uuid.UUID, limit: int = 100) -> list[schemas.GigCard]:
        """A freelancer's gigs, paused ones included (only they see those)."""
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.db.q.gigs.list_gigs_of_freelancer,
                conn,
                freelancer_id=freelancer_id,
                limit=limit,
            )
        return [to_card(row) for row in rows]

    async def search(self, query: schemas.GigSearch) -> schemas.GigPage:
        """Active gigs, filtered and sorted as docs/marketplace.md says, keyset-paged."""
        text = (query.q or "").strip()
        errors = search_errors(query, text)
        if errors:
            raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)
        sort = query.sort or ("relevance" if text else "newest")
        after = after_params(sort, query.cursor)
        skills = normalize_skills(query.skills, lower=True) or None
        filters = {
            "skills_all": skills if query.skills_match == "all" else None,
            "skills_any": skills if query.skills_match == "any" else None,
            "freelancer_id": query.freelancer_id,
            "currency": query.currency,
            "min_price": query.min_price,
            "max_price": query.max_price,
            "max_delivery_days": query.max_delivery_days,
            "min_rating": None if query.min_rating is None else Decimal(str(query.min_rating)),
            # One extra row says whether there is a next page.
            "limit": query.limit + 1,
        }
        if sort == "relevance":
            filters["q"] = text
        q = self.db.q.gigs
        keys_of = {
            "newest": q.list_gig_keys_newest,
            "rating": q.list_gig_keys_by_rating,
            "price": q.list_gig_keys_by_price,
            "relevance": q.list_gig_keys_by_relevance,
        }[sort]
        async with self.db.connection() as conn:
            keys = await fetch_all(keys_of, conn, **filters, **after)
            page = keys[: query.limit]
            ids = [key["id"] for key in page]
            rows = await fetch_all(q.list_gig_cards, conn, ids=ids) if ids else []
        by_id = {row["id"]: row for row in rows}
        # A gig deleted between the two reads is left out rather than failing the page.
        items = [to_card(by_id[i]) for i in ids if i in by_id]
        next_cursor = gig_cursor(sort, page[-1]) if len(keys) > query.limit else None
        return schemas.GigPage(items=items, next=next_cursor)
