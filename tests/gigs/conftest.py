"""Helpers for gig tests: a verified freelancer, and a valid gig body to vary (without
media: gallery items must be uploads of the caller's, see `gallery`)."""

from __future__ import annotations

import copy
from typing import Any

import pytest


def gig_body(**overrides: Any) -> dict:
    body = {
        "title": "I will build your REST API in Python",
        "description": "aiohttp, PostgreSQL and tests included.\nFast delivery.",
        "skills": ["Python", "PostgreSQL"],
        "pricing_tiers": {
            "basic": {
                "price": 5000,
                "currency": "USD",
                "delivery_days": 7,
                "description": "One endpoint",
            },
            "standard": {
                "price": 15000,
                "currency": "USD",
                "delivery_days": 14,
                "description": "Five endpoints",
            },
            "premium": {
                "price": 40000,
                "currency": "USD",
                "delivery_days": 30,
                "description": "A whole service",
            },
        },
    }
    body.update(copy.deepcopy(overrides))
    return body


@pytest.fixture
def new_gig_body():
    return gig_body


@pytest.fixture
def gallery(api):
    """Upload an image and a video as `owner`, as a gig's media gallery."""

    async def upload(owner) -> list[dict]:
        shot = await api.upload(owner, "gig_media", b"\x89PNG shot")
        demo = await api.upload(
            owner, "gig_media", b"mp4 demo", filename="demo.mp4", content_type="video/mp4"
        )
        return [
            {"url": shot["url"], "type": "image", "title": "Dashboard"},
            {"url": demo["url"], "type": "video"},
        ]

    return upload


@pytest.fixture
async def freelancer(api):
    return await api.sign_up(["freelancer"])


@pytest.fixture
def make_gig(api):
    async def make(owner, **overrides: Any) -> dict:
        return await api.post("/api/gigs", gig_body(**overrides), as_=owner, expect=201)

    return make


@pytest.fixture
def gig_count(db):
    async def count() -> int:
        async with db.connection() as conn:
            return await conn.fetchval("SELECT count(*) FROM gigs")

    return count


@pytest.fixture
def stored_gig(db):
    async def read(gig_id) -> dict | None:
        async with db.connection() as conn:
            row = await conn.fetchrow("SELECT * FROM gigs WHERE id = $1::uuid", str(gig_id))
        return dict(row) if row else None

    return read
