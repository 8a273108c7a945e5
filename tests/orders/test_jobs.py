"""The durable jobs of orders on the real worker (pgqueuer): automatic completion after a
short ORDER_AUTO_COMPLETE_DAYS (about 2.6 s here), across a worker restart and a second
delivery of the same job; and the due-date reminder."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

import msgspec
import pytest

from server.config import Settings
from server.orders.events import OrderNotice
from server.orders.service import OrderService
from tests.messaging.test_missed_email import RunningWorker
from tests.orders.test_transitions import BODIES
from tests.waits import eventually

AUTO_COMPLETE_DAYS = 0.00003  # 2.592 s
# The basic tier is due in 3 days: remind the seller about 2.5 s after accepting.
REMINDER_HOURS = 72 - 0.0007


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        order_auto_complete_days=AUTO_COMPLETE_DAYS,
        order_due_reminder_hours=REMINDER_HOURS,
    )


@pytest.fixture
async def worker(client, settings: Settings):
    running = RunningWorker(client.app, settings)
    yield running
    await running.stop()


async def notices(api, user, type_: str) -> list[OrderNotice]:
    page = await api.get("/api/notifications?limit=100", as_=user, expect=200)
    return [msgspec.convert(n["payload"], OrderNotice) for n in page["items"] if n["type"] == type_]


async def order_status(api, user, order_id: str) -> dict:
    return await api.get(f"/api/orders/{order_id}", as_=user, expect=200)


async def completed(api, user, order_id: str) -> dict:
    async def check():
        order = await order_status(api, user, order_id)
        return order if order["status"] == "completed" else None

    return await eventually(check, what="the order to complete by itself")


async def jobs_left(db, entrypoint: str) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", entrypoint
        )


async def all_run(db, entrypoint: str) -> None:
    async def none_left() -> bool:
        return await jobs_left(db, entrypoint) == 0

    await eventually(none_left, what=f"every {entrypoint} job to run")


async def duplicate_jobs(db, entrypoint: str) -> None:
    """A second delivery of each queued job: the same payload queued again."""
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)"
            " SELECT priority, entrypoint, payload, execute_after, 'queued' FROM pgqueuer"
            " WHERE entrypoint = $1",
            entrypoint,
        )


async def set_delivery_days(db, gig_id: str, tier: str, days: int) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE gigs SET pricing_tiers = jsonb_set(pricing_tiers,"
            " ARRAY[$2, 'delivery_days'], to_jsonb($3::INT)) WHERE id = $1",
            uuid.UUID(gig_id),
            tier,
            days,
        )


async def delivered_order(api, market) -> dict:
    order = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, order["id"], "accept")
    return await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])


async def test_a_delivered_order_completes_by_itself_after_the_quiet_period(api, market, worker):
    await worker.start()
    order = await delivered_order(api, market)
    done = await completed(api, market.buyer, order["id"])
    assert done["auto_completed"] is True
    assert done["closed_by"] is None
    assert done["auto_complete_at"] is None
    waited = datetime.fromisoformat(done["completed_at"]) - datetime.fromisoformat(
        order["delivered_at"]
    )
    assert waited >= timedelta(days=AUTO_COMPLETE_DAYS)
    assert datetime.fromisoformat(order["auto_complete_at"]) <= datetime.fromisoformat(
        done["completed_at"]
    )
    last = done["events"][-1]
    assert (last["action"], last["actor_id"], last["from_status"], last["to_status"]) == (
        "auto-complete",
        None,
        "delivered",
        "completed",
    )
    for party in (market.buyer, market.seller):
        [notice] = [
            n for n in await notices(api, party, "order.status") if n.action == "auto-complete"
        ]
        assert notice.actor_id is None
        assert (notice.previous_status, notice.status) == ("delivered", "completed")
    history = await api.get(
        f"/api/conversations/{done['conversation_id']}/messages", as_=market.seller, expect=200
    )
    line = max(history["items"], key=lambda m: m["seq"])
    assert line["kind"] == "system"
    assert line["sender_id"] == str(market.buyer.id)
    assert "completed automatically" in line["content"]


async def test_auto_completion_survives_a_worker_restart(api, db, market, worker):
    await worker.start()
    order = await delivered_order(api, market)
    await worker.stop()
    assert (await order_status(api, market.buyer, order["id"]))["status"] == "delivered"

    async def due() -> bool:
        async with db.connection() as conn:
            return await conn.fetchval(
                "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_auto_complete'"
                " AND execute_after <= now()"
            )

    await eventually(due, what="the auto-complete job to fall due while no worker runs")
    assert (await order_status(api, market.buyer, order["id"]))["status"] == "delivered"
    await worker.start()
    done = await completed(api, market.buyer, order["id"])
    assert done["auto_completed"] is True


async def test_a_job_delivered_twice_completes_the_order_once(api, db, market, worker, settings):
    order = await delivered_order(api, market)
    await duplicate_jobs(db, "order_auto_complete")
    assert await jobs_left(db, "order_auto_complete") == 2
    await worker.start()
    done = await completed(api, market.buyer, order["id"])
    await all_run(db, "order_auto_complete")
    done = await order_status(api, market.buyer, order["id"])
    assert [e["action"] for e in done["events"]].count("auto-complete") == 1
    assert done["version"] == order["version"] + 1
    for party in (market.buyer, market.seller):
        autos = [
            n for n in await notices(api, party, "order.status") if n.action == "auto-complete"
        ]
        assert len(autos) == 1
    # Run by hand once more, as a third delivery would: nothing.
    service = OrderService(worker.resources.db, settings)
    assert await service.auto_complete(uuid.UUID(order["id"]), order["version"]) is False
    assert (await order_status(api, market.buyer, order["id"]))["version"] == done["version"]


async def test_a_job_for_an_order_that_moved_on_does_nothing(api, db, market, worker):
    order = await delivered_order(api, market)
    moved = await api.order_action(
        market.buyer, order["id"], "request-revision", BODIES["request-revision"]
    )
    await worker.start()
    await all_run(db, "order_auto_complete")
    after = await order_status(api, market.buyer, order["id"])
    assert after["status"] == "in_revision"
    assert after["version"] == moved["version"]
    assert "auto-complete" not in [e["action"] for e in after["events"]]


async def test_the_seller_is_reminded_before_the_due_time(api, db, market, worker):
    order = await api.order(market.buyer, market.gig["id"])
    order = await api.order_action(market.seller, order["id"], "accept")
    await worker.start()

    async def reminded():
        return await notices(api, market.seller, "order.due_soon")

    [notice] = await eventually(reminded, what="the due-date reminder")
    assert notice.order_id == uuid.UUID(order["id"])
    assert (notice.status, notice.previous_status) == ("in_progress", None)
    assert (notice.action, notice.actor_id) == ("due-reminder", None)
    assert notice.due_at == datetime.fromisoformat(order["due_at"])
    assert notice.at >= notice.due_at - timedelta(hours=REMINDER_HOURS)
    assert await notices(api, market.buyer, "order.due_soon") == []
    after = await order_status(api, market.seller, order["id"])
    assert after["version"] == order["version"]
    assert after["events"][-1]["action"] == "due-reminder"
    assert after["events"][-1]["actor_id"] is None
    # The notice's moment is the database's, as recorded on the timeline (not the
    # worker's own clock).
    assert notice.at == datetime.fromisoformat(after["events"][-1]["created_at"])


async def test_a_reminder_is_sent_once_and_not_for_an_order_already_delivered(
    api, db, market, worker
):
    working = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, working["id"], "accept")
    early = await api.order(market.buyer, market.gig["id"])
    await api.order_action(market.seller, early["id"], "accept")
    await api.order_action(market.seller, early["id"], "deliver", BODIES["deliver"])
    await duplicate_jobs(db, "order_due_reminder")
    assert await jobs_left(db, "order_due_reminder") == 4
    await worker.start()
    await all_run(db, "order_due_reminder")
    reminders = await notices(api, market.seller, "order.due_soon")
    assert [n.order_id for n in reminders] == [uuid.UUID(working["id"])]


async def test_no_reminder_is_queued_when_its_time_has_passed_already(api, db, market, worker):
    # A 1-day tier and a lead of about 72 h (as the default 24 h with a 1-day tier): the
    # reminder's time is before the moment of accepting, and reminding the seller as they
    # accept (or as the buyer asks for a revision) would tell them nothing.
    gig = await api.gig(market.seller)
    await set_delivery_days(db, gig["id"], "basic", 1)
    order = await api.order(market.buyer, gig["id"])
    accepted = await api.order_action(market.seller, order["id"], "accept")
    assert accepted["status"] == "in_progress"
    assert await jobs_left(db, "order_due_reminder") == 0
    await api.order_action(market.seller, order["id"], "deliver", BODIES["deliver"])
    revising = await api.order_action(
        market.buyer, order["id"], "request-revision", BODIES["request-revision"]
    )
    assert revising["status"] == "in_revision"
    assert await jobs_left(db, "order_due_reminder") == 0
    await worker.start()
    await all_run(db, "order_auto_complete")
    assert await notices(api, market.seller, "order.due_soon") == []
    after = await order_status(api, market.seller, order["id"])
    assert "due-reminder" not in [e["action"] for e in after["events"]]
