"""Gigs: workflow 3 end to end, who may create, see, edit and delete a gig."""

from __future__ import annotations

import uuid
from datetime import datetime

from tests.gigs.conftest import gig_body


async def test_student_becomes_freelancer_creates_gig_and_it_is_searchable(api, gig_count, gallery):
    student = await api.sign_up(["student"])
    await api.post("/api/gigs", gig_body(), as_=student, expect=403)
    assert await gig_count() == 0

    user = await api.post("/api/me/roles", {"role": "freelancer"}, as_=student, expect=200)
    assert user["roles"] == ["student", "freelancer"]

    media = await gallery(student)
    gig = await api.post("/api/gigs", gig_body(media_gallery=media), as_=student, expect=201)
    assert gig["freelancer_id"] == str(student.id)
    assert gig["status"] == "active"
    assert gig["skills"] == ["python", "postgresql"]
    assert gig["pricing_tiers"]["basic"] == {
        "price": 5000,
        "currency": "USD",
        "delivery_days": 7,
        "description": "One endpoint",
        "revisions": 1,  # the default when a tier does not say
    }
    assert gig["pricing_tiers"]["premium"]["price"] == 40000
    assert [m["type"] for m in gig["media_gallery"]] == ["image", "video"]
    assert gig["media_gallery"][1]["title"] is None
    assert [m["url"] for m in gig["media_gallery"]] == [m["url"] for m in media]
    assert await api.download(media[0]["url"]) == b"\x89PNG shot"

    assert await api.get(f"/api/gigs/{gig['id']}", expect=200) == gig
    found = await api.get("/api/gigs", params={"q": "python api"}, expect=200)
    assert [g["id"] for g in found["items"]] == [gig["id"]]
    by_skill = await api.get("/api/gigs", params={"skills": "PostgreSQL"}, expect=200)
    assert [g["id"] for g in by_skill["items"]] == [gig["id"]]
    mine = await api.get("/api/gigs", params={"freelancer_id": str(student.id)}, expect=200)
    assert [g["id"] for g in mine["items"]] == [gig["id"]]


async def test_only_verified_freelancers_create_gigs(api, db, gig_count):
    unverified = await api.sign_up(["freelancer"], verified=False)
    student = await api.sign_up(["student"])
    employer = await api.sign_up(["employer"])
    admin = await api.admin(db)
    for caller in (unverified, student, employer, admin):
        await api.post("/api/gigs", gig_body(), as_=caller, expect=403)
    await api.post("/api/gigs", gig_body(), expect=401)
    assert await gig_count() == 0


async def test_tiers_are_optional_beyond_basic(api, freelancer):
    tiers = gig_body()["pricing_tiers"]
    del tiers["standard"], tiers["premium"]
    gig = await api.post("/api/gigs", gig_body(pricing_tiers=tiers), as_=freelancer, expect=201)
    assert gig["pricing_tiers"]["standard"] is None
    assert gig["pricing_tiers"]["premium"] is None
    minimal = {"title": "Logo", "description": "A logo.", "pricing_tiers": tiers}
    gig = await api.post("/api/gigs", minimal, as_=freelancer, expect=201)
    assert gig["skills"] == [] and gig["media_gallery"] == []


async def test_owner_edits_fields_partially(api, freelancer, make_gig):
    gig = await make_gig(freelancer)
    tiers = gig_body()["pricing_tiers"]
    tiers["basic"]["price"] = 9000
    edited = await api.patch(
        f"/api/gigs/{gig['id']}",
        {"title": "  Faster APIs  ", "pricing_tiers": tiers, "skills": ["Go", "go"]},
        as_=freelancer,
        expect=200,
    )
    assert edited["title"] == "Faster APIs"
    assert edited["pricing_tiers"]["basic"]["price"] == 9000
    assert edited["skills"] == ["go"]
    assert edited["description"] == gig["description"]
    assert edited["media_gallery"] == gig["media_gallery"]
    assert datetime.fromisoformat(edited["updated_at"]) > datetime.fromisoformat(gig["updated_at"])
    same = await api.patch(f"/api/gigs/{gig['id']}", {}, as_=freelancer, expect=200)
    assert same == edited


async def test_paused_gig_is_visible_only_to_its_freelancer(api, freelancer, make_gig):
    gig = await make_gig(freelancer)
    other = await api.sign_up(["freelancer"])
    paused = await api.patch(
        f"/api/gigs/{gig['id']}", {"status": "paused"}, as_=freelancer, expect=200
    )
    assert paused["status"] == "paused"
    await api.get(f"/api/gigs/{gig['id']}", as_=freelancer, expect=200)
    await api.get(f"/api/gigs/{gig['id']}", as_=other, expect=404)
    await api.get(f"/api/gigs/{gig['id']}", expect=404)
    listed = await api.get("/api/gigs", expect=200)
    assert listed["items"] == []
    searched = await api.get("/api/gigs", params={"q": "python"}, expect=200)
    assert searched["items"] == []

    await api.patch(f"/api/gigs/{gig['id']}", {"status": "active"}, as_=freelancer, expect=200)
    await api.get(f"/api/gigs/{gig['id']}", as_=other, expect=200)
    listed = await api.get("/api/gigs", expect=200)
    assert [g["id"] for g in listed["items"]] == [gig["id"]]


async def test_only_the_freelancer_edits_or_deletes_a_gig(
    api, db, freelancer, make_gig, stored_gig
):
    gig = await make_gig(freelancer)
    before = await stored_gig(gig["id"])
    others = [
        await api.sign_up(["freelancer"]),
        await api.sign_up(["student"], verified=False),
        await api.admin(db),
    ]
    for other in others:
        await api.patch(f"/api/gigs/{gig['id']}", {"title": "Mine now"}, as_=other, expect=403)
        await api.patch(f"/api/gigs/{gig['id']}", {"status": "paused"}, as_=other, expect=403)
        await api.delete(f"/api/gigs/{gig['id']}", as_=other, expect=403)
    await api.patch(f"/api/gigs/{gig['id']}", {"title": "Mine now"}, expect=401)
    await api.delete(f"/api/gigs/{gig['id']}", expect=401)
    assert await stored_gig(gig["id"]) == before


async def test_strangers_get_404_for_a_paused_gig_they_try_to_change(
    api, freelancer, make_gig, stored_gig
):
    gig = await make_gig(freelancer)
    await api.patch(f"/api/gigs/{gig['id']}", {"status": "paused"}, as_=freelancer, expect=200)
    before = await stored_gig(gig["id"])
    other = await api.sign_up(["freelancer"])
    await api.patch(f"/api/gigs/{gig['id']}", {"status": "active"}, as_=other, expect=404)
    await api.delete(f"/api/gigs/{gig['id']}", as_=other, expect=404)
    assert await stored_gig(gig["id"]) == before


async def test_owner_deletes_a_gig(api, freelancer, make_gig, stored_gig):
    gig = await make_gig(freelancer)
    assert await api.delete(f"/api/gigs/{gig['id']}", as_=freelancer, expect=204) is None
    assert await stored_gig(gig["id"]) is None
    await api.get(f"/api/gigs/{gig['id']}", expect=404)
    await api.delete(f"/api/gigs/{gig['id']}", as_=freelancer, expect=404)
    await api.patch(f"/api/gigs/{gig['id']}", {"title": "x"}, as_=freelancer, expect=404)


async def test_unknown_or_malformed_gig_id_is_404(api, freelancer):
    for gig_id in (str(uuid.uuid4()), "not-a-uuid"):
        await api.get(f"/api/gigs/{gig_id}", expect=404)
        await api.patch(f"/api/gigs/{gig_id}", {"title": "x"}, as_=freelancer, expect=404)
        await api.delete(f"/api/gigs/{gig_id}", as_=freelancer, expect=404)


async def test_openapi_describes_the_gig_and_profile_routes(api):
    doc = await api.get("/api/openapi.json", expect=200)
    assert set(doc["paths"]["/api/gigs"]) == {"get", "post"}
    assert set(doc["paths"]["/api/gigs/{gig_id}"]) == {"get", "patch", "delete"}
    assert set(doc["paths"]["/api/profiles/{user_id}"]) == {"get", "patch"}
    params = {p["name"] for p in doc["paths"]["/api/gigs"]["get"]["parameters"]}
    assert params == {
        "q",
        "skills",
        "skills_match",
        "freelancer_id",
        "sort",
        "currency",
        "min_price",
        "max_price",
        "max_delivery_days",
        "min_rating",
        "limit",
        "cursor",
    }
