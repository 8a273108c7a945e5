"""A gig's media gallery holds only completed gig_media uploads of its freelancer."""

from __future__ import annotations

import pytest

from tests.gigs.conftest import gig_body


async def test_gallery_items_must_be_the_freelancers_completed_gig_media(
    api, freelancer, gig_count
):
    other = await api.sign_up(["freelancer"])
    image = await api.upload(freelancer, "gig_media")
    others_image = await api.upload(other, "gig_media")
    resume = await api.upload(freelancer, "resume")
    pending = await api.grant_upload(freelancer, "gig_media", 10)
    pending_url = image["url"].replace(image["id"], pending["upload"]["id"])
    cases = [
        ("https://cdn.example/shot.png", "image", "not a file reference"),
        (others_image["url"], "image", "no upload of yours"),
        (resume["url"], "image", "uploaded as resume"),
        (pending_url, "image", "not complete"),
        (image["url"], "video", "not video"),
        (image["url"].replace("http://", "https://"), "image", "no upload of yours"),
    ]
    for url, kind, message in cases:
        body = gig_body(media_gallery=[{"url": url, "type": kind}])
        problem = await api.post("/api/gigs", body, as_=freelancer, expect=422)
        assert problem["errors"][0]["field"] == "body.media_gallery[0].url"
        assert message in problem["errors"][0]["message"], (url, problem)
    assert await gig_count() == 0


@pytest.mark.parametrize("status", ["active", "paused"])
async def test_editing_the_gallery_checks_new_items_and_keeps_old_ones(
    api, freelancer, gallery, make_gig, stored_gig, status
):
    media = await gallery(freelancer)
    gig = await make_gig(freelancer, media_gallery=media)
    await api.patch(f"/api/gigs/{gig['id']}", {"status": status}, as_=freelancer, expect=200)
    before = await stored_gig(gig["id"])
    stranger_upload = await api.upload(await api.sign_up(), "gig_media")
    bad = [*media, {"url": stranger_upload["url"], "type": "image"}]
    problem = await api.patch(
        f"/api/gigs/{gig['id']}", {"media_gallery": bad}, as_=freelancer, expect=422
    )
    assert problem["errors"][0]["field"] == "body.media_gallery[2].url"
    assert await stored_gig(gig["id"]) == before
    extra = await api.upload(freelancer, "gig_media")
    edited = await api.patch(
        f"/api/gigs/{gig['id']}",
        {"media_gallery": [*media[::-1], {"url": extra["url"], "type": "image"}]},
        as_=freelancer,
        expect=200,
    )
    assert [m["url"] for m in edited["media_gallery"]] == [
        media[1]["url"],
        media[0]["url"],
        extra["url"],
    ]
