"""The REST side: a user's own notifications, pages, unread counts and read state."""

from __future__ import annotations

from server.paging import encode_cursor
from tests.notifications.conftest import apply, notify_directly, stored


async def test_list_is_newest_first_and_pages_walk_every_notification_once(api, client):
    user = await api.sign_up()
    ids = await notify_directly(client.app, [user], count=7)
    seen, cursor = [], None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await api.get("/api/notifications", as_=user, params=params, expect=200)
        seen.extend(n["id"] for n in page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


async def test_after_keeps_only_newer_and_unread_filters(api, client):
    user = await api.sign_up()
    ids = await notify_directly(client.app, [user], count=4)
    assert [n["id"] for n in await stored(api, user, after=str(ids[1]))] == ids[:1:-1]
    await api.post(f"/api/notifications/{ids[0]}/read", as_=user, expect=200)
    assert [n["id"] for n in await stored(api, user, unread="true")] == ids[:0:-1]
    assert [n["id"] for n in await stored(api, user, unread="false")] == [ids[0]]


async def test_each_user_sees_only_their_own(api, client, hiring, recruiter, student):
    await apply(api, hiring, student)
    outsider = await api.sign_up()
    assert await stored(api, outsider) == []
    assert (await api.get("/api/notifications/unread-count", as_=outsider))["unread"] == 0
    [theirs] = await stored(api, recruiter)
    await api.post(f"/api/notifications/{theirs['id']}/read", as_=outsider, expect=404)
    # marking "everything up to" someone else's id touches only the caller's own
    marked = await api.post(
        "/api/notifications/read", {"up_to_id": theirs["id"]}, as_=outsider, expect=200
    )
    assert marked == {"marked": 0, "unread": 0}
    [still] = await stored(api, recruiter)
    assert still["read_at"] is None


async def test_mark_one_read_is_monotonic_and_counts_follow(api, client):
    user = await api.sign_up()
    ids = await notify_directly(client.app, [user], count=3)
    assert await api.get("/api/notifications/unread-count", as_=user) == {"unread": 3}
    first = await api.post(f"/api/notifications/{ids[1]}/read", as_=user, expect=200)
    assert first["id"] == ids[1] and first["read_at"] is not None
    again = await api.post(f"/api/notifications/{ids[1]}/read", as_=user, expect=200)
    assert again["read_at"] == first["read_at"]
    assert await api.get("/api/notifications/unread-count", as_=user) == {"unread": 2}


async def test_mark_read_up_to_an_id(api, client):
    user = await api.sign_up()
    ids = await notify_directly(client.app, [user], count=4)
    marked = await api.post("/api/notifications/read", {"up_to_id": ids[2]}, as_=user)
    assert marked == {"marked": 3, "unread": 1}
    again = await api.post("/api/notifications/read", {"up_to_id": ids[2]}, as_=user)
    assert again == {"marked": 0, "unread": 1}
    assert [n["id"] for n in await stored(api, user, unread="true")] == [ids[3]]


async def test_bad_ids_cursors_and_bodies_are_refused(api, client):
    user = await api.sign_up()
    for bad in ("abc", "-1", "1.5", "99999999999999999999", "\u0661"):
        await api.post(f"/api/notifications/{bad}/read", as_=user, expect=404)
    await api.post("/api/notifications/424242/read", as_=user, expect=404)
    for cursor in ("nope", encode_cursor(2**64), encode_cursor(-1), encode_cursor("1")):
        await api.get("/api/notifications", as_=user, params={"cursor": cursor}, expect=400)
    await api.get("/api/notifications", as_=user, params={"limit": "0"}, expect=422)
    await api.get("/api/notifications", as_=user, params={"after": "-1"}, expect=422)
    await api.get("/api/notifications", as_=user, params={"bogus": "1"}, expect=422)
    await api.post("/api/notifications/read", {"up_to_id": -1}, as_=user, expect=422)
    await api.post("/api/notifications/read", {"up_to": 1}, as_=user, expect=422)


async def test_notifications_need_a_session(api):
    await api.get("/api/notifications", expect=401)
    await api.get("/api/notifications/unread-count", expect=401)
    await api.post("/api/notifications/1/read", expect=401)
    await api.post("/api/notifications/read", {"up_to_id": 1}, expect=401)
