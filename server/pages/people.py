"""Pages for people and freelancers: profiles, the profile editor, gigs (workflow 3)."""

from __future__ import annotations

from typing import Any

from server.enrichment.service import EnrichmentService
from server.errors import Forbidden
from server.gigs import schemas as gig_schemas
from server.gigs.service import GigService
from server.pages.web import PageRequest, page
from server.profiles.service import ProfileService

TIERS = ("basic", "standard", "premium")


@page("/profile", "profile_edit.html")
async def profile_editor(p: PageRequest) -> dict[str, Any]:
    profile = await ProfileService(p.db).get(p.user.id, p.user.is_verified, p.user.id)
    enrichment = await EnrichmentService(p.db).latest(p.user.id)
    return {"profile": profile, "enrichment": enrichment}


@page("/people/{user_id}", "profile.html")
async def profile_page(p: PageRequest) -> dict[str, Any]:
    user_id = p.path_id("user_id")
    profile = await ProfileService(p.db).get(p.user.id, p.user.is_verified, user_id)
    return {"profile": profile, "resume_url": profile.resume_url or None}


@page("/freelance", "freelance.html")
async def freelance(p: PageRequest) -> dict[str, Any]:
    gigs: list[gig_schemas.Gig] = []
    if p.user.has("freelancer"):
        query = gig_schemas.GigSearch(freelancer_id=p.user.id, limit=100)
        gigs = (await GigService(p.db).search(query)).items
    return {"gigs": gigs}


@page("/gigs", "gigs.html", login=False)
async def gig_search(p: PageRequest) -> dict[str, Any]:
    query, errors = p.query(gig_schemas.GigSearch, drop=("freelancer_id",))
    results = None if errors else await GigService(p.db).search(query)
    return {"query": query, "results": results, "errors": errors}


@page("/gigs/new", "gig_edit.html")
async def new_gig(p: PageRequest) -> dict[str, Any]:
    return {"gig": None, "tiers": TIERS}


@page("/gigs/{gig_id}", "gig.html", login=False)
async def gig_page(p: PageRequest) -> dict[str, Any]:
    viewer_id = p.viewer.id if p.viewer else None
    gig = await GigService(p.db).get(viewer_id, p.path_id("gig_id"))
    tiers = [(name, getattr(gig.pricing_tiers, name)) for name in TIERS]
    freelancer = await ProfileService(p.db).display_name(gig.freelancer_id)
    return {
        "gig": gig,
        "tiers": [(n, t) for n, t in tiers if t is not None],
        "freelancer_name": freelancer,
    }


@page("/gigs/{gig_id}/edit", "gig_edit.html")
async def edit_gig(p: PageRequest) -> dict[str, Any]:
    gig = await GigService(p.db).get(p.user.id, p.path_id("gig_id"))
    if gig.freelancer_id != p.user.id:
        raise Forbidden("only the gig's freelancer may edit it")
    return {"gig": gig, "tiers": TIERS}
