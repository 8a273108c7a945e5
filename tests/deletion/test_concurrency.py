"""Deleting an account while others act on it: the locks are taken in an order that cannot
deadlock, and what committed first is seen by the refusals."""

from __future__ import annotations

import asyncio
import json

from tests.deletion.conftest import delete_body


async def wait_for_lock_wait(db, fragment: str) -> None:
    """Until a backend is waiting on a lock in a statement containing ``fragment``."""
    for _ in range(200):
        async with db.connection() as conn:
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'",
                fragment,
            )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing waited on a lock in {fragment!r}")


async def test_an_order_placed_on_the_leavers_gig_meanwhile_is_an_open_order_not_a_deadlock(
    api, db, leaver
):
    gig = await api.gig(leaver.user, title="Ordered while its seller leaves")
    q = db.q.orders
    async with db.connection() as conn:
        order_tx = conn.transaction()
        await order_tx.start()
        # OrderService.place's first step: the gig, key-share locked until the order commits.
        found = await q.get_gig_to_order(conn, gig_id=gig["id"])
        deleting = asyncio.create_task(
            api.call(
                "DELETE",
                "/api/me",
                as_=leaver.user,
                json=await delete_body(leaver.user),
                expect=None,
            )
        )
        # The deletion now waits for that gig (lock_user_gigs) ...
        await wait_for_lock_wait(db, "FROM gigs WHERE freelancer_id")
        # ... while the order goes on: its foreign key to the seller must not wait for the
        # deletion in turn (that is a deadlock, one of the two rolled back after a second).
        tiers = found["pricing_tiers"]
        tier = (json.loads(tiers) if isinstance(tiers, str) else tiers)["basic"]
        await q.insert_order(
            conn,
            gig_id=gig["id"],
            buyer_id=leaver.other.id,
            seller_id=leaver.user.id,
            gig_title=found["title"],
            tier="basic",
            tier_description=tier["description"],
            price=tier["price"],
            currency=tier["currency"],
            delivery_days=tier["delivery_days"],
            revisions_allowed=1,
            requirements="Ordered at the last moment",
            attachments=[],
        )
        await order_tx.commit()
    response = await deleting
    assert response["status"] == 409, response
    assert "open order" in response["detail"]
    await api.get("/api/me", as_=leaver.user, expect=200)


async def during_deletion(api, db, leaver, method: str, path: str, body: dict) -> dict:
    """What the leaver's request answers when it was authenticated just before their
    deletion commits (a second tab)."""
    async with db.connection() as conn:
        deletion = conn.transaction()
        await deletion.start()
        # The erase, half way: the account locked as lock_user_for_deletion locks it.
        await db.q.deletion.lock_user_for_deletion(conn, user_id=leaver.user.id)
        request = asyncio.create_task(api.call(method, path, as_=leaver.user, json=body))
        # The request gets past authentication: it then either waits for the deletion or
        # (the defect) writes without waiting.
        waiting = asyncio.create_task(wait_for_lock_wait(db, "FROM users WHERE id"))
        await asyncio.wait({request, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        await db.q.deletion.erase_personal_rows(conn, user_id=leaver.user.id)
        await db.q.deletion.tombstone_user(conn, user_id=leaver.user.id)
        await deletion.commit()
    return await request


async def test_an_order_the_leaver_places_while_their_deletion_commits_is_refused(api, db, leaver):
    gig = await api.gig(leaver.other, title="Ordered by someone on their way out")
    body = {"tier": "basic", "requirements": "Placed in a second tab"}
    response = await during_deletion(api, db, leaver, "POST", f"/api/gigs/{gig['id']}/orders", body)
    # No open order with nobody behind it (a deletion refuses while one is open).
    assert response["status"] in (401, 404), response
    async with db.connection() as conn:
        orders = await conn.fetchval(
            "SELECT count(*) FROM orders WHERE buyer_id = $1 AND status = 'requested'",
            leaver.user.id,
        )
    assert orders == 0


async def test_an_application_the_leaver_sends_while_their_deletion_commits_is_refused(
    api, db, leaver
):
    company = await api.company(leaver.other, name="Hiring While You Leave")
    job = await api.job(leaver.other, company["id"], title="Applied to on the way out")
    body = {"cover_letter": "Sent from a second tab"}
    response = await during_deletion(
        api, db, leaver, "POST", f"/api/jobs/{job['id']}/applications", body
    )
    assert response["status"] in (401, 404), response
    async with db.connection() as conn:
        left = await conn.fetchval(
            "SELECT count(*) FROM job_applications WHERE candidate_id = $1", leaver.user.id
        )
    assert left == 0


async def test_an_export_the_leaver_asks_for_while_their_deletion_commits_is_refused(
    api, db, leaver
):
    response = await during_deletion(api, db, leaver, "POST", "/api/me/export", {})
    assert response["status"] in (401, 404), response
    async with db.connection() as conn:
        left = await conn.fetchval(
            "SELECT count(*) FROM data_exports WHERE user_id = $1", leaver.user.id
        )
    assert left == 0
