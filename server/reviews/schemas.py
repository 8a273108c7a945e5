"""Request and response bodies for reviews (docs/marketplace.md, "Reviews")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from server.paging import DEFAULT_LIMIT, Limit

Rating = Annotated[int, msgspec.Meta(ge=1, le=5, description="1 to 5 stars")]
# Optional words with the stars; trimmed before storing.
ReviewText = Annotated[
    str, msgspec.Meta(max_length=5000, pattern=r"\A[^\x00]*\Z", description="0 to 5000 characters")
]
ReplyText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=5000,
        pattern=r"\A(?=[\s\S]*\S)[^\x00]+\Z",
        description="1 to 5000 characters, not blank",
    ),
]


class ReviewCreate(msgspec.Struct, forbid_unknown_fields=True):
    rating: Rating
    text: ReviewText = ""


class ReviewUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Absent fields stay as they are."""

    rating: Rating | UnsetType = UNSET
    text: ReviewText | UnsetType = UNSET


class ReviewReply(msgspec.Struct, forbid_unknown_fields=True):
    text: ReplyText


class Reviewer(msgspec.Struct):
    id: uuid.UUID
    name: str | None
    avatar_url: str | None


class Review(msgspec.Struct):
    """`editable_until`: the buyer may change the review until then (created_at + 14 days)."""

    id: uuid.UUID
    order_id: uuid.UUID
    gig_id: uuid.UUID | None
    rating: int
    text: str
    buyer: Reviewer
    reply: str | None
    replied_at: datetime | None
    created_at: datetime
    updated_at: datetime
    editable_until: datetime


class ReviewListQuery(msgspec.Struct, forbid_unknown_fields=True):
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class GigReviewPage(msgspec.Struct):
    """A page of a gig's reviews, newest first, with the gig's summary (average rounded to
    two decimals, null before the first review)."""

    items: list[Review]
    next: str | None
    rating_avg: float | None
    rating_count: int


class SellerRating(msgspec.Struct):
    """The reviews of all of a freelancer's orders (also of gigs deleted since): average
    rounded to two decimals (null before the first review) and count."""

    rating_avg: float | None
    rating_count: int
