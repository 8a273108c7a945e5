"""Pages for people and freelancers: profiles, the profile editor, gigs (workflow 3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import msgspec

from server.enrichment.service import EnrichmentService
from server.errors import FieldError, Forbidden, Invalid
from server.gigs import schemas as gig_schemas
from server.gigs.service import GigService
from server.pages.web import PageRequest, page
from server.profiles import schemas as profile_schemas
from server.profiles.service import ProfileService
from server.reviews.schemas import ReviewListQuery
from server.reviews.service import ReviewService

TIERS = ("basic", "standard", "premium")
# The currencies the gig editor offers first (any ISO-4217 code a gig already has stays).
CURRENCIES = ("USD", "EUR", "GBP", "INR", "CAD", "AUD", "SGD", "AED")
REVIEWS_PER_PAGE = 10
# The marketplace form's price controls, in whole units, and the API bounds they become.
MARKET_PRICES = {"price_min": "min_price", "price_max": "max_price"}
MARKET_SORTS = (
    ("relevance", "Best match"),
    ("rating", "Top rated"),
    ("price", "Lowest price"),
    ("newest", "Newest"),
)


def affiliation(profile: profile_schemas.Profile) -> str | None:
    """The profile header's "where": the current job ("Intern at Initech"), else the most
    recent school."""
    current = [job for job in profile.experience if job.end_date is None]
    if current:
        job = max(current, key=lambda job: job.start_date or date.min)
        return f"{job.title} at {job.company}"
    if profile.education:
        school = max(profile.education, key=lambda s: (s.end_year is None, s.end_year or 0))
        return school.institution
    return None


@page("/profile", "profile_edit.html")
async def profile_editor(p: PageRequest) -> dict[str, Any]:
    profile = await ProfileService(p.db).get(p.user.id, p.user.is_verified, p.user.id)
    enrichment = await EnrichmentService(p.db).latest(p.user.id)
    return {"profile": profile, "enrichment": enrichment, "affiliation": affiliation(profile)}


@page("/people/{user_id}", "profile.html")
async def profile_page(p: PageRequest) -> dict[str, Any]:
    user_id = p.path_id("user_id")
    profile = await ProfileService(p.db).get(p.user.id, p.user.is_verified, user_id)
    return {
        "profile": profile,
        "rating": await ReviewService(p.db).seller_rating(user_id),
        "resume_url": profile.resume_url or None,
        "affiliation": affiliation(profile),
        "is_owner": p.user.id == user_id,
    }


@page("/freelance", "freelance.html")
async def freelance(p: PageRequest) -> dict[str, Any]:
    gigs: list[gig_schemas.GigCard] = []
    if p.user.has("freelancer"):
        gigs = await GigService(p.db).list_own(p.user.id)
    return {"gigs": gigs}


def minor_units(raw: str) -> int:
    """A price typed in whole units ("25", "25.50") in minor units (2550), or ValueError."""
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise ValueError("enter an amount such as 25 or 25.50") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError("enter an amount such as 25 or 25.50")
    if value * 100 > gig_schemas.MAX_PRICE:
        raise ValueError("too large")
    return int(value * 100)


@page("/gigs", "gigs.html", login=False)
async def gig_search(p: PageRequest) -> dict[str, Any]:
    """The marketplace: the API's filters, with prices typed in whole units (price_min,
    price_max) rather than minor units; each refusal is shown beside its control."""
    query, errors = p.query(gig_schemas.GigSearch, drop=("freelancer_id", *MARKET_PRICES.values()))
    bounds = {}
    for name, field in MARKET_PRICES.items():
        raw = p.request.query.get(name, "").strip()
        if raw:
            try:
                bounds[field] = minor_units(raw)
            except ValueError as exc:
                errors.append(FieldError(field=name, message=str(exc)))
    results = None
    if not errors:
        try:
            results = await GigService(p.db).search(msgspec.structs.replace(query, **bounds))
        except Invalid as exc:
            errors = exc.errors
    # "query.min_price" (the API's name) is the page's price_min control.
    page_names = {f"query.{api}": name for name, api in MARKET_PRICES.items()}
    field_errors = {
        page_names.get(e.field, e.field.removeprefix("query.")): e.message for e in errors
    }
    kept = [(k, v) for k, v in p.request.query.items() if k != "cursor" and v.strip()]
    next_url = None
    if results and results.next:
        next_url = "/gigs?" + urlencode([*kept, ("cursor", results.next)])
    return {
        "form": {k: p.request.query.get(k, "").strip() for k in p.request.query},
        "results": results,
        "field_errors": field_errors,
        "next_url": next_url,
        "currencies": CURRENCIES,
        "sorts": MARKET_SORTS,
    }


@page("/gigs/new", "gig_edit.html")
async def new_gig(p: PageRequest) -> dict[str, Any]:
    return {"gig": None, "tiers": TIERS, "currencies": CURRENCIES}


@page("/gigs/{gig_id}", "gig.html", login=False)
async def gig_page(p: PageRequest) -> dict[str, Any]:
    viewer_id = p.viewer.id if p.viewer else None
    gig = await GigService(p.db).get(viewer_id, p.path_id("gig_id"))
    tiers = [(name, getattr(gig.pricing_tiers, name)) for name in TIERS]
    # Name and photo are public (as on the gig's card); the headline is for viewers who may
    # see profiles.
    seller = await ProfileService(p.db).person_card(
        gig.freelancer_id, show_headline=bool(p.viewer and p.viewer.is_verified)
    )
    reviews = ReviewService(p.db)
    page_of = ReviewListQuery(limit=REVIEWS_PER_PAGE, cursor=p.request.query.get("reviews"))
    return {
        "gig": gig,
        "tiers": [(n, t) for n, t in tiers if t is not None],
        "seller": seller,
        "freelancer_name": seller.full_name if seller else None,
        "reviews": await reviews.list_for_gig(viewer_id, gig.id, page_of),
        "seller_rating": await reviews.seller_rating(gig.freelancer_id),
    }


@page("/gigs/{gig_id}/edit", "gig_edit.html")
async def edit_gig(p: PageRequest) -> dict[str, Any]:
    gig = await GigService(p.db).get(p.user.id, p.path_id("gig_id"))
    if gig.freelancer_id != p.user.id:
        raise Forbidden("only the gig's freelancer may edit it")
    return {"gig": gig, "tiers": TIERS, "currencies": CURRENCIES}
