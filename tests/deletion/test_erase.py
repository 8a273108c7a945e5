"""Deleting an account: the tombstone, what is erased and what is kept without the person,
their sockets closed, their sessions gone, and their stored files deleted by the durable
job (once, across a worker restart)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from server.deletion.service import ERASE_OBJECTS_ENTRYPOINT
from tests.client import PASSWORD
from tests.deletion.conftest import count_rows, delete_body, object_key, stored_file
from tests.messaging.test_missed_email import RunningWorker
from tests.sockets import connect_socket
from tests.waits import eventually

ERASED = (
    "sessions.user_id",
    "email_tokens.user_id",
    "organization_memberships.user_id",
    "profiles.user_id",
    "gigs.freelancer_id",
    "job_applications.candidate_id",
    "notifications.user_id",
    "profile_skill_sources.user_id",
    "enrichment_jobs.user_id",
    "job_applicant_visits.user_id",
    "saved_jobs.user_id",
    "job_alerts.user_id",
    "seller_stats.user_id",
    "user_identities.user_id",
    "oidc_logins.user_id",
    "data_exports.user_id",
)
KEPT = (
    "organizations.created_by",
    "jobs.poster_id",
    "conversation_participants.user_id",
    "messages.sender_id",
    "orders.buyer_id",
    "order_events.actor_id",
    "gig_reviews.buyer_id",
)


@pytest.fixture
async def worker(client, settings):
    running = RunningWorker(client.app, settings)
    yield running
    await running.stop()


async def jobs_left(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", ERASE_OBJECTS_ENTRYPOINT
        )


async def test_deleting_erases_the_person_and_keeps_what_others_need(
    api, db, client, leaver, worker
):
    user = leaver.user
    keys = {what: await object_key(db, url) for what, url in leaver.files.items()}
    assert all(stored_file(client, key).exists() for key in keys.values())
    before = await count_rows(db, user.id)
    assert all(before[name] for name in KEPT), before
    url = str(client.make_url("/")).rstrip("/")
    sock = await connect_socket(url, user.token, ["/chat", "/notifications"])
    try:
        await api.call("DELETE", "/api/me", as_=user, json=await delete_body(user), expect=204)
        await eventually(lambda: not sock.connected, what="the deleted user's socket to close")
    finally:
        await sock.disconnect()

    # The tombstone.
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM users WHERE id = $1", user.id)
    assert row["email"] == f"deleted+{user.id}@deleted.invalid"
    assert row["password_hash"] is None and row["roles"] == [] and row["is_verified"] is False
    assert row["deleted_at"] is not None
    assert row["missed_message_emails"] is False and row["job_alert_emails"] is False

    after = await count_rows(db, user.id)
    assert {name: after[name] for name in ERASED} == dict.fromkeys(ERASED, 0)
    assert {name: after[name] for name in KEPT} == {name: before[name] for name in KEPT}
    # Of their uploads, only what the company and the kept order use stays.
    async with db.connection() as conn:
        kept = {
            r["purpose"]
            for r in await conn.fetch("SELECT purpose FROM uploads WHERE owner_id = $1", user.id)
        }
    assert kept == {"org_logo", "job_attachment"}

    # Signed out everywhere: a second DELETE is impossible, and so is logging in.
    await api.call("DELETE", "/api/me", as_=user, json=await delete_body(user), expect=401)
    await api.get("/api/me", as_=user, expect=401)
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=401)

    # Their stored files go, once the durable job runs; the company's stay.
    assert await jobs_left(db) == 1
    await worker.start()
    await eventually(lambda: _gone(client, keys), what="the erased account's files to go")
    await eventually(lambda: _no_jobs(db), what="the job to finish")
    assert stored_file(client, keys["org_logo"]).exists()
    assert stored_file(client, keys["job_attachment"]).exists()
    response = await api.open_file(leaver.files["message_attachment"], as_=leaver.other)
    assert response.status == 404


def _gone(client, keys: dict[str, str]) -> bool:
    erased = ("avatar", "resume", "portfolio", "gig_media", "message_attachment")
    return not any(stored_file(client, keys[what]).exists() for what in erased)


async def test_others_see_deleted_user_where_the_person_was_named(api, db, leaver):
    user, other = leaver.user, leaver.other
    await api.call("DELETE", "/api/me", as_=user, json=await delete_body(user), expect=204)

    listed = (await api.get("/api/conversations", as_=other, expect=200))["items"]
    [conversation] = [c for c in listed if c["id"] == leaver.conversation["id"]]
    names = {p["id"]: p["full_name"] for p in conversation["participants"]}
    assert names[str(user.id)] == "Deleted user"
    history = await api.get(
        f"/api/conversations/{conversation['id']}/messages", as_=other, expect=200
    )
    theirs = sorted(
        (m for m in history["items"] if m["sender_id"] == str(user.id)), key=lambda m: m["seq"]
    )
    assert [m["content"] for m in theirs] == ["Hello from Lee", None]

    order = await api.get(f"/api/orders/{leaver.order['id']}", as_=other, expect=200)
    assert order["buyer"] == {"id": str(user.id), "name": "Deleted user", "avatar_url": None}
    reviews = await api.get(f"/api/gigs/{order['gig_id']}/reviews", expect=200)
    assert [r["buyer"]["name"] for r in reviews["items"]] == ["Deleted user"]
    await api.get(f"/api/profiles/{user.id}", as_=other, expect=404)
    # The job they posted stays with the company.
    job = await api.get(f"/api/jobs/{leaver.job['id']}", expect=200)
    assert job["company_id"] == leaver.company["id"]


async def test_the_erase_job_deletes_once_across_a_restart_and_tolerates_missing_files(
    api, db, client, leaver, worker
):
    user = leaver.user
    key = await object_key(db, leaver.files["resume"])
    stored_file(client, key).unlink()  # already gone: no error
    await api.call("DELETE", "/api/me", as_=user, json=await delete_body(user), expect=204)
    # Delivered twice (a worker that died mid-job): the second run finds nothing to do.
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)"
            " SELECT priority, entrypoint, payload, execute_after, 'queued' FROM pgqueuer"
            " WHERE entrypoint = $1",
            ERASE_OBJECTS_ENTRYPOINT,
        )
    await worker.start()
    await worker.stop()
    await worker.start()
    await eventually(lambda: _no_jobs(db), what="both deliveries to run")
    avatar = await object_key(db, leaver.files["avatar"])
    assert avatar is None  # the row went with the erase
    async with db.connection() as conn:
        failed = await conn.fetchval(
            "SELECT count(*) FROM pgqueuer_log WHERE entrypoint = $1 AND status = 'exception'",
            ERASE_OBJECTS_ENTRYPOINT,
        )
    assert failed == 0


async def _no_jobs(db) -> bool:
    return await jobs_left(db) == 0


async def test_two_deletions_at_once_erase_once(api, db, leaver):
    user = leaver.user
    body = await delete_body(user)
    results = await asyncio.gather(
        api.client.request("DELETE", "/api/me", json=body, headers=user.headers),
        api.client.request("DELETE", "/api/me", json=body, headers=user.headers),
    )
    statuses = sorted(r.status for r in results)
    assert statuses[0] == 204 and statuses[1] in (401, 404), statuses
    assert await jobs_left(db) == 1
    async with db.connection() as conn:
        assert await conn.fetchval(
            "SELECT deleted_at IS NOT NULL FROM users WHERE id = $1", uuid.UUID(str(user.id))
        )


async def test_the_address_is_free_for_a_new_account_that_inherits_nothing(api, db, leaver):
    user = leaver.user
    await api.call("DELETE", "/api/me", as_=user, json=await delete_body(user), expect=204)
    again = await api.sign_up(["student"], email=user.email, full_name="Someone New")
    assert again.id != user.id
    await api.get("/api/me", as_=again, expect=200)
    # The old account's messages stay the deleted user's, not the new account's.
    listed = (await api.get("/api/conversations", as_=leaver.other, expect=200))["items"]
    [conversation] = [c for c in listed if c["id"] == leaver.conversation["id"]]
    names = {p["id"]: p["full_name"] for p in conversation["participants"]}
    assert names[str(user.id)] == "Deleted user" and str(again.id) not in names
    assert (await api.get("/api/conversations", as_=again, expect=200))["items"] == []
