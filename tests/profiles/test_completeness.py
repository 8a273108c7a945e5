"""The completeness hint: what a profile still lacks, most useful first, and how much of
it is filled in (a pure function of the profile)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from server.profiles.completeness import completeness
from server.profiles.schemas import Profile


def profile(**fields) -> Profile:
    base = {
        "user_id": "6f1e3c1a-0000-4000-8000-000000000001",
        "roles": ["student"],
        "full_name": None,
        "headline": None,
        "bio": None,
        "avatar_url": None,
        "skills": {"claimed": [], "verified": []},
        "experience": [],
        "education": [],
        "portfolio": [],
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return msgspec.convert({**base, **fields}, Profile)


def missing(result) -> list[str]:
    return [part.field for part in result.missing]


def test_an_empty_profile_lacks_everything_in_order_of_use():
    result = completeness(profile(), None)
    assert result.percent == 0
    assert missing(result) == [
        "full_name",
        "avatar_url",
        "headline",
        "skills",
        "experience",
        "education",
        "resume_url",
        "bio",
    ]
    assert result.missing[1].hint == "Add a photo"


def test_a_full_profile_is_complete():
    full = profile(
        full_name="Ana Lima",
        headline="CS student",
        bio="I like databases.",
        avatar_url="http://x.test/api/files/1",
        skills={"claimed": ["Python", "SQL"], "verified": ["Go"]},
        experience=[{"title": "Intern", "company": "Initech"}],
        education=[{"institution": "Northfield University"}],
    )
    result = completeness(full, "http://x.test/api/files/2")
    assert (result.percent, result.missing) == (100, [])


def test_blank_text_and_too_few_skills_count_as_missing():
    partial = profile(
        full_name="Ana",
        headline="  ",
        skills={"claimed": ["Python"], "verified": ["SQL"]},
        education=[{"institution": "Northfield University"}],
    )
    result = completeness(partial, None)
    assert missing(result) == [
        "avatar_url",
        "headline",
        "skills",
        "experience",
        "resume_url",
        "bio",
    ]
    assert result.percent == 25
    assert [p.hint for p in result.missing][2] == "List at least 3 skills"


async def test_only_the_owner_gets_the_hint(api):
    ana, bob = await api.sign_up(full_name="Ana"), await api.sign_up()
    own = await api.get(f"/api/profiles/{ana.id}", as_=ana)
    assert own["completeness"]["percent"] == 12
    assert own["completeness"]["missing"][0] == {"field": "avatar_url", "hint": "Add a photo"}
    saved = await api.patch(f"/api/profiles/{ana.id}", {"headline": "CS student"}, as_=ana)
    assert saved["completeness"]["percent"] == 25
    assert "completeness" not in await api.get(f"/api/profiles/{ana.id}", as_=bob)
