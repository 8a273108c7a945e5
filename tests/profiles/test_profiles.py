"""Profiles: reading (who sees what), owner-only partial updates, skills rules."""

from __future__ import annotations

import uuid

FULL = {
    "full_name": "Ana Lima",
    "headline": "Backend engineer",
    "bio": "I build APIs.\nAnd I test them.",
    "skills": {"claimed": ["Python", "PostgreSQL"]},
    "experience": [
        {
            "title": "Intern",
            "company": "Acme",
            "start_date": "2023-06-01",
            "end_date": "2023-09-30",
            "description": "Wrote the billing API.",
        }
    ],
    "education": [
        {"institution": "State University", "degree": "BSc", "start_year": 2020, "end_year": 2024}
    ],
    "portfolio": [
        {
            "title": "Chat app",
            "url": "https://github.com/ana/chat",
        }
    ],
}
STORED_EXPERIENCE = [
    {
        "title": "Intern",
        "company": "Acme",
        "organization_id": None,
        "start_date": "2023-06-01",
        "end_date": "2023-09-30",
        "description": "Wrote the billing API.",
    }
]


async def full_profile(api, user) -> dict:
    """FULL, with a resume and a portfolio image uploaded by `user`."""
    resume = await api.upload(user, "resume")
    image = await api.upload(user, "portfolio")
    body = {**FULL, "resume_url": resume["url"]}
    body["portfolio"] = [{**FULL["portfolio"][0], "image_url": image["url"]}]
    return body


PUBLIC_FIELDS = ("full_name", "headline", "bio", "skills", "experience", "education", "portfolio")


async def test_signup_profile_is_empty_and_owner_sees_roles_and_resume_field(api):
    user = await api.sign_up(["student", "freelancer"], full_name="Ana Lima")
    profile = await api.get(f"/api/profiles/{user.id}", as_=user, expect=200)
    assert profile["user_id"] == str(user.id)
    assert profile["roles"] == ["freelancer", "student"]
    assert profile["full_name"] == "Ana Lima"
    assert profile["skills"] == {"claimed": [], "verified": []}
    assert profile["experience"] == profile["education"] == profile["portfolio"] == []
    assert "resume_url" in profile and profile["resume_url"] is None


async def test_owner_fills_profile_and_reads_it_back(api):
    user = await api.sign_up()
    full = await full_profile(api, user)
    updated = await api.patch(f"/api/profiles/{user.id}", full, as_=user, expect=200)
    fetched = await api.get(f"/api/profiles/{user.id}", as_=user, expect=200)
    assert updated == fetched
    assert fetched["resume_url"] == full["resume_url"]
    assert fetched["skills"] == {"claimed": ["Python", "PostgreSQL"], "verified": []}
    assert fetched["experience"][0]["title"] == "Intern"
    assert fetched["experience"][0]["end_date"] == "2023-09-30"
    assert fetched["experience"][0]["organization_id"] is None
    assert fetched["education"][0]["end_year"] == 2024
    assert fetched["portfolio"][0]["image_url"] == full["portfolio"][0]["image_url"]
    assert fetched["portfolio"][0]["url"] == "https://github.com/ana/chat"


async def test_patch_is_partial_null_clears_and_lists_are_replaced(api):
    user = await api.sign_up()
    await api.patch(f"/api/profiles/{user.id}", FULL, as_=user, expect=200)
    after = await api.patch(
        f"/api/profiles/{user.id}",
        {"headline": None, "portfolio": [], "bio": "  "},
        as_=user,
        expect=200,
    )
    assert after["headline"] is None
    assert after["bio"] is None  # blank free text is stored as no value
    assert after["portfolio"] == []
    assert after["full_name"] == "Ana Lima"
    assert after["experience"] == STORED_EXPERIENCE
    assert after["skills"]["claimed"] == ["Python", "PostgreSQL"]
    unchanged = await api.patch(f"/api/profiles/{user.id}", {}, as_=user, expect=200)
    assert unchanged == after


async def test_strings_are_trimmed(api):
    user = await api.sign_up()
    body = {
        "full_name": "  Ana  ",
        "experience": [{"title": " Intern ", "company": "Acme", "description": "   "}],
    }
    profile = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=200)
    assert profile["full_name"] == "Ana"
    assert profile["experience"][0]["title"] == "Intern"
    assert profile["experience"][0]["description"] is None


async def test_verified_user_sees_public_fields_but_not_the_resume(api):
    owner = await api.sign_up()
    await api.patch(
        f"/api/profiles/{owner.id}", await full_profile(api, owner), as_=owner, expect=200
    )
    stranger = await api.sign_up(["professional"])
    seen = await api.get(f"/api/profiles/{owner.id}", as_=stranger, expect=200)
    assert "resume_url" not in seen
    mine = await api.get(f"/api/profiles/{owner.id}", as_=owner, expect=200)
    for name in (*PUBLIC_FIELDS, "roles", "user_id"):
        assert seen[name] == mine[name], name


async def test_reading_a_profile_needs_login_and_for_others_a_verified_email(api):
    owner = await api.sign_up()
    unverified = await api.sign_up(verified=False)
    await api.get(f"/api/profiles/{owner.id}", expect=401)
    problem = await api.get(f"/api/profiles/{owner.id}", as_=unverified, expect=403)
    assert "verify" in problem["detail"]
    own = await api.get(f"/api/profiles/{unverified.id}", as_=unverified, expect=200)
    assert own["user_id"] == str(unverified.id)


async def test_unknown_or_malformed_profile_id_is_404(api):
    user = await api.sign_up()
    await api.get(f"/api/profiles/{uuid.uuid4()}", as_=user, expect=404)
    await api.get("/api/profiles/not-a-uuid", as_=user, expect=404)


async def test_unverified_user_may_edit_own_profile(api):
    user = await api.sign_up(verified=False)
    profile = await api.patch(
        f"/api/profiles/{user.id}", {"headline": "Learning Go"}, as_=user, expect=200
    )
    assert profile["headline"] == "Learning Go"


async def test_only_the_owner_edits_a_profile_and_refusals_change_nothing(api, db, stored_profile):
    owner = await api.sign_up(full_name="Ana Lima")
    before = await stored_profile(owner.id)
    others = [
        await api.sign_up(["professional"]),
        await api.sign_up(verified=False),
        await api.admin(db),
    ]
    body = {"full_name": "Mallory", "skills": {"claimed": ["Hacking"]}}
    for other in others:
        await api.patch(f"/api/profiles/{owner.id}", body, as_=other, expect=403)
    await api.patch(f"/api/profiles/{owner.id}", body, expect=401)
    assert await stored_profile(owner.id) == before


async def test_claimed_skills_are_trimmed_and_deduplicated_case_insensitively(api):
    user = await api.sign_up()
    body = {"skills": {"claimed": [" Python ", "python", "PYTHON", "Machine   Learning", "Go"]}}
    profile = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=200)
    assert profile["skills"]["claimed"] == ["Python", "Machine Learning", "Go"]


async def test_writing_verified_skills_is_refused_and_stored_verified_list_is_kept(
    api, db, stored_profile
):
    user = await api.sign_up()
    async with db.connection() as conn:
        await conn.execute(
            'UPDATE profiles SET skills = \'{"claimed": ["Go"], "verified": ["React"]}\''
            " WHERE user_id = $1",
            user.id,
        )
    before = await stored_profile(user.id)
    for skills in (
        {"claimed": ["Rust"], "verified": ["Rust"]},
        {"verified": ["Rust"]},
        ["Rust"],
        None,
    ):
        problem = await api.patch(
            f"/api/profiles/{user.id}", {"skills": skills}, as_=user, expect=422
        )
        assert problem["errors"][0]["field"].startswith("body.skills")
    assert await stored_profile(user.id) == before
    profile = await api.patch(
        f"/api/profiles/{user.id}", {"skills": {"claimed": ["Rust"]}}, as_=user, expect=200
    )
    assert profile["skills"] == {"claimed": ["Rust"], "verified": ["React"]}


async def test_skill_list_and_skill_name_lengths_are_bounded(api):
    user = await api.sign_up()
    too_many = {"skills": {"claimed": [f"skill{i}" for i in range(51)]}}
    too_long = {"skills": {"claimed": ["x" * 65]}}
    blank = {"skills": {"claimed": ["   "]}}
    for body in (too_many, too_long, blank):
        problem = await api.patch(f"/api/profiles/{user.id}", body, as_=user, expect=422)
        assert problem["errors"][0]["field"].startswith("body.skills.claimed")
    fifty = {"skills": {"claimed": [f"skill{i}" for i in range(50)]}}
    await api.patch(f"/api/profiles/{user.id}", fifty, as_=user, expect=200)
