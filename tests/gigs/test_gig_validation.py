"""Gig bodies: pricing tiers, gallery and text rules; bad input is 4xx and writes nothing."""

from __future__ import annotations

import pytest

from tests.gigs.conftest import gig_body


def _tiers(**changes: dict) -> dict:
    tiers = gig_body()["pricing_tiers"]
    for name, fields in changes.items():
        if fields is None:
            del tiers[name]
        else:
            tiers[name].update(fields)
    return tiers


BAD_TIERS = [
    (_tiers(standard={"price": 4999}), "body.pricing_tiers.standard.price"),
    (_tiers(premium={"price": 14999}), "body.pricing_tiers.premium.price"),
    (_tiers(standard=None, premium={"price": 100}), "body.pricing_tiers.premium.price"),
    (_tiers(standard={"currency": "EUR"}), "body.pricing_tiers.standard.currency"),
    (_tiers(basic={"price": 0}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"price": -5}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"price": 10.5}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"price": "5000"}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"price": None}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"price": 10**30}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"price": 10**12 + 1}), "body.pricing_tiers.basic.price"),
    (_tiers(basic={"currency": "usd"}), "body.pricing_tiers.basic.currency"),
    (_tiers(basic={"currency": "US"}), "body.pricing_tiers.basic.currency"),
    (_tiers(basic={"currency": "USDX"}), "body.pricing_tiers.basic.currency"),
    (_tiers(basic={"delivery_days": 0}), "body.pricing_tiers.basic.delivery_days"),
    (_tiers(basic={"delivery_days": 366}), "body.pricing_tiers.basic.delivery_days"),
    (_tiers(basic={"description": "  "}), "body.pricing_tiers.basic.description"),
    (_tiers(basic={"description": "x" * 2001}), "body.pricing_tiers.basic.description"),
    (_tiers(basic={"discount": 10}), "body.pricing_tiers.basic"),
    (_tiers(basic=None), "body.pricing_tiers.basic"),  # the missing tier, by name
    ({**_tiers(), "gold": _tiers()["basic"]}, "body.pricing_tiers"),
    ({**_tiers(), "basic": None}, "body.pricing_tiers.basic"),
    ([], "body.pricing_tiers"),
    (None, "body.pricing_tiers"),
]


@pytest.mark.parametrize(("tiers", "field"), BAD_TIERS)
async def test_bad_pricing_tiers_are_422_with_the_field(api, freelancer, gig_count, tiers, field):
    problem = await api.post("/api/gigs", gig_body(pricing_tiers=tiers), as_=freelancer, expect=422)
    assert problem["errors"][0]["field"] == field, problem
    assert await gig_count() == 0


async def test_every_tier_problem_is_reported(api, freelancer):
    tiers = _tiers(standard={"price": 1, "currency": "EUR"}, premium={"price": 2})
    problem = await api.post("/api/gigs", gig_body(pricing_tiers=tiers), as_=freelancer, expect=422)
    assert [e["field"] for e in problem["errors"]] == [
        "body.pricing_tiers.standard.currency",
        "body.pricing_tiers.standard.price",
    ]


async def test_equal_tier_prices_are_allowed(api, freelancer):
    tiers = _tiers(standard={"price": 5000}, premium={"price": 5000})
    await api.post("/api/gigs", gig_body(pricing_tiers=tiers), as_=freelancer, expect=201)


MEDIA = {"url": "https://cdn.example/a.png", "type": "image"}
BAD_BODIES = [
    ({"media_gallery": [MEDIA] * 21}, "body.media_gallery"),
    ({"media_gallery": [{**MEDIA, "type": "audio"}]}, "body.media_gallery[0].type"),
    ({"media_gallery": [{**MEDIA, "url": "data:image/png;base64,AAAA"}]}, None),
    ({"media_gallery": [{**MEDIA, "url": None}]}, "body.media_gallery[0].url"),
    ({"media_gallery": [{"type": "image"}]}, "body.media_gallery[0].url"),
    ({"media_gallery": [{**MEDIA, "title": ""}]}, "body.media_gallery[0].title"),
    ({"media_gallery": None}, "body.media_gallery"),
    ({"title": ""}, "body.title"),
    ({"title": "   "}, "body.title"),
    ({"title": None}, "body.title"),
    ({"title": 42}, "body.title"),
    ({"title": "x" * 256}, "body.title"),
    ({"title": "nul\u0000"}, "body.title"),
    ({"description": ""}, "body.description"),
    ({"description": "\n\t "}, "body.description"),
    ({"description": "x" * 20_001}, "body.description"),
    ({"skills": ["x" * 65]}, "body.skills[0]"),
    ({"skills": [f"s{i}" for i in range(21)]}, "body.skills"),
    ({"skills": "python"}, "body.skills"),
    ({"skills": [None]}, "body.skills[0]"),
    ({"freelancer_id": "00000000-0000-0000-0000-000000000000"}, "body"),
    ({"status": "paused"}, "body"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_BODIES)
async def test_bad_gig_bodies_are_422(api, freelancer, gig_count, overrides, field):
    problem = await api.post("/api/gigs", gig_body(**overrides), as_=freelancer, expect=422)
    assert problem["errors"], problem
    if field is not None:
        assert problem["errors"][0]["field"] == field, problem
    assert await gig_count() == 0


async def test_missing_required_fields_and_malformed_bodies(api, freelancer, gig_count):
    for name in ("title", "description", "pricing_tiers"):
        body = gig_body()
        del body[name]
        problem = await api.post("/api/gigs", body, as_=freelancer, expect=422)
        assert name in problem["detail"]
    headers = {"Content-Type": "application/json"}
    await api.call("POST", "/api/gigs", as_=freelancer, data=b"{", headers=headers, expect=400)
    await api.call("POST", "/api/gigs", as_=freelancer, data=b"title=x", expect=422)
    assert await gig_count() == 0


async def test_bad_updates_are_422_and_change_nothing(api, freelancer, make_gig, stored_gig):
    gig = await make_gig(freelancer)
    before = await stored_gig(gig["id"])
    bad = [
        {"status": "deleted"},
        {"status": None},
        {"title": None},
        {"pricing_tiers": _tiers(premium={"price": 1})},
        {"pricing_tiers": None},
        {"media_gallery": [MEDIA] * 21},
        {"freelancer_id": "00000000-0000-0000-0000-000000000000"},
    ]
    for body in bad:
        await api.patch(f"/api/gigs/{gig['id']}", body, as_=freelancer, expect=422)
    assert await stored_gig(gig["id"]) == before


async def test_stranger_learns_nothing_from_a_bad_tier_update(api, freelancer, make_gig):
    gig = await make_gig(freelancer)
    other = await api.sign_up(["freelancer"])
    body = {"pricing_tiers": _tiers(premium={"price": 1})}
    await api.patch(f"/api/gigs/{gig['id']}", body, as_=other, expect=403)
