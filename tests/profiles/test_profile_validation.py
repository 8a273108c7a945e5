"""Profile updates: every class of bad input is a 4xx with the field, and writes nothing."""

from __future__ import annotations

import uuid

import pytest

BAD_BODIES = [
    # wrong JSON types and nulls where a value is required
    ({"full_name": 5}, "body.full_name"),
    ({"experience": None}, "body.experience"),
    ({"experience": {"title": "x"}}, "body.experience"),
    ({"education": [{"institution": None}]}, "body.education[0].institution"),
    ({"portfolio": ["a string"]}, "body.portfolio[0]"),
    # unknown fields, at the top and inside items
    ({"email": "x@example.com"}, "body"),
    ({"experience": [{"title": "a", "company": "b", "salary": 1}]}, "body.experience[0]"),
    # empty, blank, oversized and control-character strings
    ({"full_name": ""}, "body.full_name"),
    ({"full_name": "   "}, "body.full_name"),
    ({"full_name": "x" * 256}, "body.full_name"),
    ({"headline": "two\nlines"}, "body.headline"),
    ({"bio": "nul \u0000 byte"}, "body.bio"),
    ({"bio": "x" * 10_001}, "body.bio"),
    ({"experience": [{"title": "", "company": "b"}]}, "body.experience[0].title"),
    ({"experience": [{"title": "a", "company": "b", "description": "x" * 2001}]}, None),
    # dates and years
    ({"experience": [{"title": "a", "company": "b", "start_date": "2023-13-01"}]}, None),
    ({"experience": [{"title": "a", "company": "b", "start_date": 20230101}]}, None),
    ({"education": [{"institution": "U", "start_year": 99999999999999999999}]}, None),
    ({"education": [{"institution": "U", "start_year": 1850}]}, None),
    ({"education": [{"institution": "U", "start_year": 2020.5}]}, None),
    # URLs: http(s) only, with a host, no spaces
    ({"resume_url": "ftp://files.example/cv.pdf"}, "body.resume_url"),
    ({"resume_url": "javascript:alert(1)"}, "body.resume_url"),
    ({"resume_url": "https://"}, "body.resume_url"),
    ({"resume_url": "https://x.example/a b.pdf"}, "body.resume_url"),
    ({"resume_url": "https://x.example/" + "a" * 1024}, "body.resume_url"),
    ({"portfolio": [{"title": "p", "video_url": "file:///etc/passwd"}]}, None),
    # organization links must be UUIDs
    ({"experience": [{"title": "a", "company": "b", "organization_id": "acme"}]}, None),
    # list lengths
    ({"experience": [{"title": "a", "company": "b"}] * 31}, "body.experience"),
    ({"education": [{"institution": "U"}] * 21}, "body.education"),
    ({"portfolio": [{"title": "p"}] * 51}, "body.portfolio"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
async def test_bad_profile_input_is_422_and_changes_nothing(api, stored_profile, body, field):
    user = await api.sign_up(full_name="Ana Lima")
    before = await stored_profile(user.id)
    problem = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=422)
    assert problem["errors"], problem
    if field is not None:
        assert problem["errors"][0]["field"] == field, problem
    assert await stored_profile(user.id) == before


async def test_malformed_json_and_non_json_bodies_are_refused(api, stored_profile):
    user = await api.sign_up()
    before = await stored_profile(user.id)
    path = f"/api/profiles/{user.id}"
    headers = {"Content-Type": "application/json"}
    await api.call("PATCH", path, as_=user, data=b"{not json", headers=headers, expect=400)
    await api.call("PATCH", path, as_=user, data=b'"\\ud800"', headers=headers, expect=400)
    await api.call("PATCH", path, as_=user, data=b"[]", headers=headers, expect=422)
    await api.call("PATCH", path, as_=user, data=b"full_name=x", expect=422)
    assert await stored_profile(user.id) == before


async def test_end_before_start_is_422_naming_each_item(api, stored_profile):
    user = await api.sign_up()
    before = await stored_profile(user.id)
    body = {
        "experience": [
            {"title": "ok", "company": "a", "start_date": "2020-01-01", "end_date": "2020-01-01"},
            {"title": "bad", "company": "b", "start_date": "2021-05-01", "end_date": "2021-04-30"},
        ],
        "education": [{"institution": "U", "start_year": 2024, "end_year": 2020}],
    }
    problem = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=422)
    assert [e["field"] for e in problem["errors"]] == [
        "body.experience[1].end_date",
        "body.education[0].end_year",
    ]
    assert await stored_profile(user.id) == before


async def test_organization_links_must_name_existing_organizations(api, stored_profile):
    user = await api.sign_up(["student", "employer"])
    company = await api.company(user, name="Acme")
    institute = await api.institute(user, name="State University")
    before = await stored_profile(user.id)
    body = {
        "experience": [
            {"title": "Intern", "company": "Acme", "organization_id": company["id"]},
            {"title": "Dev", "company": "Ghost", "organization_id": str(uuid.uuid4())},
        ],
        "education": [{"institution": "State University", "organization_id": institute["id"]}],
    }
    problem = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=422)
    assert [e["field"] for e in problem["errors"]] == ["body.experience[1].organization_id"]
    assert await stored_profile(user.id) == before
    del body["experience"][1]
    profile = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=200)
    assert profile["experience"][0]["organization_id"] == company["id"]
    assert profile["education"][0]["organization_id"] == institute["id"]
