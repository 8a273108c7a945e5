"""Request and response bodies for gigs (workflow 3)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from server.fields import FileUrl, Name, Prose, SearchText, SkillName, Summary
from server.paging import DEFAULT_LIMIT, Limit

MAX_SKILLS = 20
MAX_MEDIA = 20
# Minor units (cents, paise): integers, never floats. The ceiling keeps every price exact
# in JavaScript clients (< 2**53) and is far above any real gig.
MAX_PRICE = 10**12
MAX_REVISIONS = 10
MAX_DELIVERY_DAYS = 365

GigStatus = Literal["active", "paused"]
# server/gigs/badges.py says when a seller earns each.
SellerBadge = Literal["top_rated", "rising", "new_seller"]
Currency = Annotated[
    str, msgspec.Meta(pattern=r"\A[A-Z]{3}\Z", description="an ISO-4217 code, e.g. USD")
]


class Tier(msgspec.Struct, forbid_unknown_fields=True):
    price: Annotated[
        int, msgspec.Meta(gt=0, le=MAX_PRICE, description="in minor units (e.g. cents)")
    ]
    currency: Currency
    delivery_days: Annotated[int, msgspec.Meta(ge=1, le=MAX_DELIVERY_DAYS)]
    description: Summary
    revisions: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            le=MAX_REVISIONS,
            description="how many revisions an order of this tier may ask for (default 1)",
        ),
    ] = 1


class PricingTiers(msgspec.Struct, forbid_unknown_fields=True):
    """`basic` is required; `standard` and `premium` are optional. Every tier uses the same
    currency, and prices never decrease from basic to standard to premium."""

    basic: Tier
    standard: Tier | None = None
    premium: Tier | None = None


class MediaItem(msgspec.Struct, forbid_unknown_fields=True):
    url: FileUrl
    type: Literal["image", "video"]
    title: Name | None = None


Skills = Annotated[list[SkillName], msgspec.Meta(max_length=MAX_SKILLS)]
Gallery = Annotated[list[MediaItem], msgspec.Meta(max_length=MAX_MEDIA)]


class GigCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Name
    description: Prose
    pricing_tiers: PricingTiers
    skills: Skills = []
    media_gallery: Gallery = []


class GigUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A partial update: absent fields stay as they are; pricing_tiers, skills and
    media_gallery are replaced whole."""

    title: Name | UnsetType = UNSET
    description: Prose | UnsetType = UNSET
    pricing_tiers: PricingTiers | UnsetType = UNSET
    skills: Skills | UnsetType = UNSET
    media_gallery: Gallery | UnsetType = UNSET
    status: GigStatus | UnsetType = UNSET


class Gig(msgspec.Struct):
    id: uuid.UUID
    freelancer_id: uuid.UUID
    title: str
    description: str
    skills: list[str]
    pricing_tiers: PricingTiers
    media_gallery: list[MediaItem]
    status: GigStatus
    created_at: datetime
    updated_at: datetime


GigSort = Literal["relevance", "rating", "price", "newest"]
Price = Annotated[int, msgspec.Meta(ge=0, le=MAX_PRICE, description="in minor units (e.g. cents)")]


class GigSearch(msgspec.Struct, forbid_unknown_fields=True):
    """Filters and order of the marketplace (docs/marketplace.md). `sort` defaults to
    relevance with `q` and to newest without; relevance without `q` is refused (422).
    A price bound or sort=price needs `currency`: only gigs priced in it are listed, by
    their "from" price (the cheapest tier). `currency` alone lists the gigs priced in it."""

    q: SearchText | None = None
    skills: Skills = []
    skills_match: Literal["all", "any"] = "all"
    freelancer_id: uuid.UUID | None = None
    sort: GigSort | None = None
    currency: Currency | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    max_delivery_days: Annotated[int, msgspec.Meta(ge=1, le=MAX_DELIVERY_DAYS)] | None = None
    min_rating: Annotated[float, msgspec.Meta(ge=1, le=5)] | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class GigCard(Gig, kw_only=True):
    """A gig as a search result, with what its card shows: the cover (the gallery's first
    image, null when it has none), the seller's name, photo and badge, the "from" offer (the
    cheapest tier's price, currency and delivery days) and the gig's reviews' average
    (null before the first review) and count."""

    cover_url: str | None
    seller_name: str | None
    seller_avatar_url: str | None
    seller_badge: SellerBadge | None
    from_price: int
    currency: str
    delivery_days: int
    rating_avg: float | None
    rating_count: int


class GigPage(msgspec.Struct):
    items: list[GigCard]
    next: str | None
