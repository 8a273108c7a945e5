"""A profile photo is an `avatar` upload (PNG, JPEG or WebP up to 2 MB, public once made)
of the profile's owner; anything else is 422 on `avatar_url` and changes nothing."""

from __future__ import annotations

import pytest

MB = 1024 * 1024


async def upload_avatar(api, owner, content_type="image/png", filename="me.png") -> dict:
    """The whole upload flow for an avatar (grant → PUT to the store → complete)."""
    data = b"\x89PNG photo"
    body = {"purpose": "avatar", "filename": filename, "content_type": content_type}
    grant = await api.post(
        "/api/uploads/generate-url", {**body, "size": len(data)}, as_=owner, expect=201
    )
    response = await api.put_upload(grant, data)
    assert response.status == 200
    return await api.post(f"/api/uploads/{grant['upload']['id']}/complete", as_=owner)


async def stored_avatar(db, user_id) -> tuple:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT avatar_url, updated_at FROM profiles WHERE user_id = $1", user_id
        )
    return tuple(row)


async def test_owner_sets_and_clears_their_photo(api, db):
    ana, viewer = await api.sign_up(), await api.sign_up()
    photo = await upload_avatar(api, ana, "image/webp", "me.webp")
    assert (await api.get(f"/api/profiles/{ana.id}", as_=ana))["avatar_url"] is None

    done = await api.patch(f"/api/profiles/{ana.id}", {"avatar_url": photo["url"]}, as_=ana)
    assert done["avatar_url"] == photo["url"]
    # Everyone who may see the profile sees the photo, and the file itself is public.
    assert (await api.get(f"/api/profiles/{ana.id}", as_=viewer))["avatar_url"] == photo["url"]
    assert (await api.open_file(photo["url"], None)).status == 302

    # Saving the form again with the same photo is fine; null clears it.
    again = await api.patch(
        f"/api/profiles/{ana.id}", {"avatar_url": photo["url"], "headline": "Hi"}, as_=ana
    )
    assert again["avatar_url"] == photo["url"]
    cleared = await api.patch(f"/api/profiles/{ana.id}", {"avatar_url": None}, as_=ana)
    assert cleared["avatar_url"] is None
    assert (await stored_avatar(db, ana.id))[0] is None


async def test_avatar_url_refuses_another_users_upload_or_another_purpose(api, db):
    ana, bob = await api.sign_up(), await api.sign_up()
    bobs_photo = await upload_avatar(api, bob)
    logo = await api.upload(ana, "org_logo")
    portfolio_shot = await api.upload(ana, "portfolio")
    before = await stored_avatar(db, ana.id)
    cases = [
        (bobs_photo["url"], "no upload of yours"),
        (logo["url"], "uploaded as org_logo; upload it as avatar"),
        (portfolio_shot["url"], "uploaded as portfolio"),
        ("https://images.example/ana.png", "not a file reference"),
    ]
    for url, message in cases:
        problem = await api.patch(
            f"/api/profiles/{ana.id}", {"avatar_url": url}, as_=ana, expect=422
        )
        [error] = problem["errors"]
        assert error["field"] == "body.avatar_url"
        assert message in error["message"], (url, problem)
    assert await stored_avatar(db, ana.id) == before


async def test_a_stored_resume_cannot_become_the_photo_nor_the_photo_the_resume(api, db):
    ana = await api.sign_up()
    resume = await api.upload(ana, "resume")
    photo = await upload_avatar(api, ana)
    await api.patch(
        f"/api/profiles/{ana.id}",
        {"resume_url": resume["url"], "avatar_url": photo["url"]},
        as_=ana,
    )
    for field, url, purpose in (
        ("avatar_url", resume["url"], "resume"),
        ("resume_url", photo["url"], "avatar"),
    ):
        problem = await api.patch(f"/api/profiles/{ana.id}", {field: url}, as_=ana, expect=422)
        [error] = problem["errors"]
        assert error["field"] == f"body.{field}"
        assert f"uploaded as {purpose}" in error["message"], problem
    profile = await api.get(f"/api/profiles/{ana.id}", as_=ana)
    assert (profile["avatar_url"], profile["resume_url"]) == (photo["url"], resume["url"])


async def test_nobody_sets_a_photo_on_someone_elses_profile(api):
    ana, bob = await api.sign_up(), await api.sign_up()
    photo = await upload_avatar(api, bob)
    await api.patch(f"/api/profiles/{ana.id}", {"avatar_url": photo["url"]}, as_=bob, expect=403)


@pytest.mark.parametrize(
    ("filename", "content_type", "size"),
    [
        ("me.gif", "image/gif", 100),
        ("me.svg", "image/svg+xml", 100),
        ("me.pdf", "application/pdf", 100),
        ("me.png", "image/png", 2 * MB + 1),
    ],
)
async def test_an_avatar_is_a_small_png_jpeg_or_webp(api, filename, content_type, size):
    ana = await api.sign_up()
    body = {"purpose": "avatar", "filename": filename, "content_type": content_type, "size": size}
    await api.post("/api/uploads/generate-url", body, as_=ana, expect=422)
    ok = {"purpose": "avatar", "filename": "me.jpg", "content_type": "image/jpeg", "size": 2 * MB}
    await api.post("/api/uploads/generate-url", ok, as_=ana, expect=201)
