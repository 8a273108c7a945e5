"""Gigs: creation by freelancers, owner-only edits, visibility of paused gigs, search."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from msgspec import UNSET

from server.db import Database, fetch_all
from server.errors import FieldError, Forbidden, Invalid, NotFound
from server.fields import clean, normalize_skills
from server.gigs import schemas
from server.paging import decode_cursor, keyset_page
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


def cheapest_tier(tiers: schemas.PricingTiers) -> schemas.Tier:
    """The tier a "from" price quotes: the lowest price, the faster one on a tie."""
    offered = [tier for name in TIERS if (tier := getattr(tiers, name)) is not None]
    return min(offered, key=lambda tier: (tier.price, tier.delivery_days))


def to_card(row) -> schemas.GigCard:
    data = dict(row)
    data.pop("rank", None)
    tiers = msgspec.convert(data["pricing_tiers"], schemas.PricingTiers)
    offer = cheapest_tier(tiers)
    data.update(from_price=offer.price, currency=offer.currency, delivery_days=offer.delivery_days)
    return msgspec.convert(data, schemas.GigCard)


def _after(cursor: str | None, first: type) -> tuple:
    """The (sort key, id) a page starts after; (None, None) for the first page."""
    values = decode_cursor(cursor, (first, uuid.UUID))
    return (None, None) if values is None else values


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
        """Active gigs: ranked by relevance with `q`, newest first without it."""
        text = (query.q or "").strip()
        skills = normalize_skills(query.skills, lower=True) or None
        filters = {
            "skills_all": skills if query.skills_match == "all" else None,
            "skills_any": skills if query.skills_match == "any" else None,
            "freelancer_id": query.freelancer_id,
            # One extra row says whether there is a next page.
            "limit": query.limit + 1,
        }
        q = self.db.q.gigs
        async with self.db.connection() as conn:
            if text:
                after_rank, after_id = _after(query.cursor, float)
                rows = await fetch_all(
                    q.search_gigs,
                    conn,
                    q=text,
                    after_rank=after_rank,
                    after_id=after_id,
                    **filters,
                )
            else:
                after_created, after_id = _after(query.cursor, datetime)
                rows = await fetch_all(
                    q.list_gigs,
                    conn,
                    after_created_at=after_created,
                    after_id=after_id,
                    **filters,
                )
        page, next_cursor = keyset_page(
            rows, query.limit, lambda r: (r["rank"] if text else r["created_at"], r["id"])
        )
        return schemas.GigPage(items=[to_card(row) for row in page], next=next_cursor)
