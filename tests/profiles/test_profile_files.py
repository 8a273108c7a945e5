"""A profile's resume and portfolio media are completed uploads of its owner's, uploaded for
that purpose; anything else is 422 on the field and changes nothing."""

from __future__ import annotations


async def stored(db, user_id) -> dict:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT resume_url, portfolio, updated_at FROM profiles WHERE user_id = $1", user_id
        )
    return dict(row)


async def test_resume_url_takes_only_the_owners_completed_resume(api, db):
    ana, bob = await api.sign_up(), await api.sign_up()
    resume = await api.upload(ana, "resume")
    bobs_resume = await api.upload(bob, "resume")
    chat_file = await api.upload(ana, "message_attachment")
    pending = await api.grant_upload(ana, "resume", 10)
    pending_url = resume["url"].replace(resume["id"], pending["upload"]["id"])
    before = await stored(db, ana.id)
    cases = [
        ("https://files.example/ana.pdf", "not a file reference"),
        (bobs_resume["url"], "no upload of yours"),
        (chat_file["url"], "uploaded as message_attachment"),
        (pending_url, "not complete"),
        (resume["url"].replace("/api/files/", "/api/files/x/"), "not a file reference"),
    ]
    for url, message in cases:
        problem = await api.patch(
            f"/api/profiles/{ana.id}", {"resume_url": url}, as_=ana, expect=422
        )
        assert problem["errors"] == [
            {"field": "body.resume_url", "message": problem["errors"][0]["message"]}
        ]
        assert message in problem["errors"][0]["message"], (url, problem)
    assert await stored(db, ana.id) == before

    done = await api.patch(f"/api/profiles/{ana.id}", {"resume_url": resume["url"]}, as_=ana,
                           expect=200)  # fmt: skip
    assert done["resume_url"] == resume["url"]
    cleared = await api.patch(f"/api/profiles/{ana.id}", {"resume_url": None}, as_=ana, expect=200)
    assert cleared["resume_url"] is None


async def test_portfolio_media_are_portfolio_uploads_of_the_right_kind(api, db):
    ana = await api.sign_up()
    image = await api.upload(ana, "portfolio")
    video = await api.upload(ana, "portfolio", filename="demo.mp4", content_type="video/mp4")
    gig_image = await api.upload(ana, "gig_media")
    before = await stored(db, ana.id)
    bad = [
        ({"title": "A", "image_url": video["url"]}, "image_url", "not image"),
        ({"title": "A", "video_url": image["url"]}, "video_url", "not video"),
        ({"title": "A", "image_url": gig_image["url"]}, "image_url", "uploaded as gig_media"),
        ({"title": "A", "image_url": "https://cdn.example/a.png"}, "image_url", "not a file"),
    ]
    for item, field, message in bad:
        problem = await api.patch(
            f"/api/profiles/{ana.id}", {"portfolio": [item]}, as_=ana, expect=422
        )
        assert problem["errors"][0]["field"] == f"body.portfolio[0].{field}"
        assert message in problem["errors"][0]["message"]
    assert await stored(db, ana.id) == before

    item = {
        "title": "Robot arm",
        "url": "https://github.com/ana/arm",
        "image_url": image["url"],
        "video_url": video["url"],
    }
    profile = await api.patch(f"/api/profiles/{ana.id}", {"portfolio": [item]}, as_=ana,
                              expect=200)  # fmt: skip
    assert profile["portfolio"][0] | item == profile["portfolio"][0]
    # the portfolio is public: anyone can open its media
    assert await api.download(image["url"]) == (await api.download(image["url"], ana))
