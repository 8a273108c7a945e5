"""Reviews racing the deletion of their gig: the review still lands (counted for the
seller, gig_id null), never a 500, and the figures stay right."""

from __future__ import annotations

import asyncio
import uuid

from tests.reviews.conftest import notices
from tests.waits import wait_for_lock_waiters


async def figures(db, seller_id) -> tuple:
    async with db.connection() as conn:
        return tuple(
            await conn.fetchrow(
                "SELECT rating_count, rating_sum FROM seller_stats WHERE user_id = $1",
                uuid.UUID(str(seller_id)),
            )
        )


async def test_a_review_written_while_its_gig_is_being_deleted_lands_without_the_gig(api, db, sale):
    s = await sale()
    gig_id = uuid.UUID(s.gig["id"])
    async with db.connection() as deleter, db.connection() as watcher:
        tx = deleter.transaction()
        await tx.start()
        await deleter.execute("SELECT id FROM gigs WHERE id = $1 FOR UPDATE", gig_id)
        await deleter.execute("DELETE FROM gigs WHERE id = $1", gig_id)
        review = asyncio.create_task(
            api.post(f"/api/orders/{s.order['id']}/review", {"rating": 4}, as_=s.buyer, expect=201)
        )
        await wait_for_lock_waiters(watcher, 1)
        await tx.commit()
        created = await review
    assert created["gig_id"] is None and created["rating"] == 4
    # The seller's notice names no gig either (it is gone).
    assert [n["gig_id"] for n in await notices(api, s.seller, "order.reviewed")] == [None]
    assert await figures(db, s.seller.id) == (1, 4)
    assert await api.get(f"/api/users/{s.seller.id}/rating") == {
        "rating_avg": 4.0,
        "rating_count": 1,
    }


async def test_a_review_edited_while_its_gig_is_being_deleted_is_no_deadlock(api, db, sale):
    s = await sale()
    path = f"/api/orders/{s.order['id']}/review"
    await api.post(path, {"rating": 2}, as_=s.buyer, expect=201)
    gig_id = uuid.UUID(s.gig["id"])
    async with db.connection() as deleter, db.connection() as watcher:
        tx = deleter.transaction()
        await tx.start()
        # The deletion holds the gig first, as DELETE /api/gigs/{id} does ...
        await deleter.execute("SELECT id FROM gigs WHERE id = $1 FOR UPDATE", gig_id)
        edit = asyncio.create_task(api.patch(path, {"rating": 5}, as_=s.buyer, expect=200))
        await wait_for_lock_waiters(watcher, 1)
        # ... then its cascade reaches the review (gig_id set null).
        await deleter.execute("DELETE FROM gigs WHERE id = $1", gig_id)
        await tx.commit()
        edited = await edit
    assert edited["rating"] == 5 and edited["gig_id"] is None
    assert await figures(db, s.seller.id) == (1, 5)


async def test_concurrent_reviews_and_edits_of_one_seller_keep_every_figure(api, db, sale):
    first = await sale()
    other_gig = await api.gig(first.seller)
    sales = [first]
    for gig in (first.gig, other_gig, other_gig):
        sales.append(await sale(gig=gig, seller=first.seller))
    await asyncio.gather(
        *(
            api.post(
                f"/api/orders/{s.order['id']}/review", {"rating": 1 + i}, as_=s.buyer, expect=201
            )
            for i, s in enumerate(sales)
        )
    )
    await asyncio.gather(
        *(
            api.patch(
                f"/api/orders/{s.order['id']}/review", {"rating": 5 - i}, as_=s.buyer, expect=200
            )
            for i, s in enumerate(sales)
        )
    )
    assert await figures(db, first.seller.id) == (4, 5 + 4 + 3 + 2)
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT g.rating_count, g.rating_sum, (SELECT count(*) FROM gig_reviews r"
            " WHERE r.gig_id = g.id) AS n, (SELECT COALESCE(sum(rating), 0) FROM gig_reviews r"
            " WHERE r.gig_id = g.id) AS total FROM gigs g WHERE g.freelancer_id = $1",
            uuid.UUID(str(first.seller.id)),
        )
    assert all((r["rating_count"], r["rating_sum"]) == (r["n"], r["total"]) for r in rows)
    assert sorted(r["rating_count"] for r in rows) == [2, 2]
