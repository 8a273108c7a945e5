"""Pages for people and freelancers: profiles, the profile editor, gigs (workflow 3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from server.enrichment.service import EnrichmentService
from server.errors import Forbidden
from server.gigs import schemas as gig_schemas
from server.gigs.service import GigService
from server.pages.web import PageRequest, page
from server.profiles import schemas as profile_schemas
from server.profiles.service import ProfileService

TIERS = ("basic", "standard", "premium")
# The currencies the gig editor offers first (any ISO-4217 code a gig already has stays).
CURRENCIES = ("USD", "EUR", "GBP", "INR", "CAD", "AUD", "SGD", "AED")


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


@page("/gigs", "gigs.html", login=False)
async def gig_search(p: PageRequest) -> dict[str, Any]:
    query, errors = p.query(gig_schemas.GigSearch, drop=("freelancer_id",))
    results = None if errors else await GigService(p.db).search(query)
    return {"query": query, "results": results, "errors": errors}


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
    return {
        "gig": gig,
        "tiers": [(n, t) for n, t in tiers if t is not None],
        "seller": seller,
        "freelancer_name": seller.full_name if seller else None,
    }


@page("/gigs/{gig_id}/edit", "gig_edit.html")
async def edit_gig(p: PageRequest) -> dict[str, Any]:
    gig = await GigService(p.db).get(p.user.id, p.path_id("gig_id"))
    if gig.freelancer_id != p.user.id:
        raise Forbidden("only the gig's freelancer may edit it")
    return {"gig": gig, "tiers": TIERS, "currencies": CURRENCIES}
