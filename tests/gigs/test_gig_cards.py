"""Gig search results carry what a card shows: the cover (the gallery's first image), the
seller's name and photo, and the "from" offer (the cheapest package's price, currency and
delivery days). A freelancer's own list has the same cards, paused gigs included."""

from __future__ import annotations

from tests.gigs.conftest import gig_body


def card_fields(item: dict) -> dict:
    names = ("cover_url", "seller_name", "seller_avatar_url", "from_price", "currency")
    return {name: item[name] for name in (*names, "delivery_days")}


async def set_avatar(api, user) -> str:
    data = b"\x89PNG me"
    body = {"purpose": "avatar", "filename": "me.png", "content_type": "image/png"}
    grant = await api.post("/api/uploads/generate-url", {**body, "size": len(data)}, as_=user)
    assert (await api.put_upload(grant, data)).status == 200
    photo = await api.post(f"/api/uploads/{grant['upload']['id']}/complete", as_=user)
    await api.patch(f"/api/profiles/{user.id}", {"avatar_url": photo["url"]}, as_=user)
    return photo["url"]


async def test_search_results_carry_cover_seller_and_from_price(api, make_gig, gallery):
    fay = await api.sign_up(["freelancer"], full_name="Fay Freelancer")
    photo = await set_avatar(api, fay)
    video_first = list(reversed(await gallery(fay)))  # a video, then the image
    with_media = await make_gig(fay, title="Python gig with media", media_gallery=video_first)
    await make_gig(fay, title="Python gig without media")
    page = await api.get("/api/gigs", params={"q": "python"}, expect=200)
    by_title = {item["title"]: item for item in page["items"]}
    assert card_fields(by_title["Python gig with media"]) == {
        "cover_url": video_first[1]["url"],
        "seller_name": "Fay Freelancer",
        "seller_avatar_url": photo,
        "from_price": 5000,
        "currency": "USD",
        "delivery_days": 7,
    }
    assert by_title["Python gig without media"]["cover_url"] is None
    # The plain listing (no q) carries the same fields.
    listing = await api.get("/api/gigs", expect=200)
    assert card_fields(listing["items"][-1]) == card_fields(by_title["Python gig with media"])
    assert listing["items"][-1]["id"] == with_media["id"]


async def test_a_gig_with_only_videos_has_no_cover_and_a_nameless_seller_is_null(
    api, freelancer, make_gig
):
    demo = await api.upload(
        freelancer, "gig_media", b"mp4", filename="demo.mp4", content_type="video/mp4"
    )
    await make_gig(freelancer, media_gallery=[{"url": demo["url"], "type": "video"}])
    [item] = (await api.get("/api/gigs", expect=200))["items"]
    assert item["cover_url"] is None
    assert item["seller_name"] is None
    assert item["seller_avatar_url"] is None


async def test_the_from_offer_is_the_cheapest_tier_the_faster_on_a_tie(api, freelancer, make_gig):
    body = gig_body()
    body["pricing_tiers"]["standard"]["price"] = 5000  # as cheap as basic
    body["pricing_tiers"]["standard"]["delivery_days"] = 3  # and faster
    await make_gig(freelancer, pricing_tiers=body["pricing_tiers"])
    [item] = (await api.get("/api/gigs", expect=200))["items"]
    assert (item["from_price"], item["currency"], item["delivery_days"]) == (5000, "USD", 3)
