"""Fixtures for account deletion: a person with something in every table that refers to
users, made through the routes as a client would, and a snapshot of every row that refers
to them, to show a refusal changed nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from server import keys
from tests.client import PASSWORD, User
from tests.orders.test_transitions import BODIES

# Every table with a column referring to users (grep "REFERENCES users" sql/migrations),
# and that column.
USER_COLUMNS = (
    ("sessions", "user_id"),
    ("email_tokens", "user_id"),
    ("organizations", "created_by"),
    ("organization_memberships", "user_id"),
    ("organization_memberships", "invited_by"),
    ("profiles", "user_id"),
    ("jobs", "poster_id"),
    ("gigs", "freelancer_id"),
    ("job_applications", "candidate_id"),
    ("conversations", "created_by"),
    ("conversation_participants", "user_id"),
    ("messages", "sender_id"),
    ("notifications", "user_id"),
    ("uploads", "owner_id"),
    ("enrichment_jobs", "user_id"),
    ("enrichment_jobs", "requested_by"),
    ("profile_skill_sources", "user_id"),
    ("message_reactions", "user_id"),
    ("application_notes", "author_id"),
    ("job_applicant_visits", "user_id"),
    ("saved_jobs", "user_id"),
    ("job_alerts", "user_id"),
    ("institute_domains", "created_by"),
    ("orders", "buyer_id"),
    ("orders", "seller_id"),
    ("orders", "closed_by"),
    ("order_events", "actor_id"),
    ("gig_reviews", "seller_id"),
    ("gig_reviews", "buyer_id"),
    ("seller_stats", "user_id"),
    ("user_identities", "user_id"),
    ("oidc_logins", "user_id"),
    ("data_exports", "user_id"),
)


async def snapshot(db, user_id: uuid.UUID) -> dict:
    """The user's row and every row referring to them (as sorted text), plus the queue."""
    out: dict = {}
    async with db.connection() as conn:
        out["users"] = dict(await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id))
        for table, column in USER_COLUMNS:
            rows = await conn.fetch(
                f"SELECT to_jsonb(t)::TEXT AS row FROM {table} t WHERE {column} = $1",  # noqa: S608
                user_id,
            )
            out[f"{table}.{column}"] = sorted(r["row"] for r in rows)
        out["jobs_queued"] = await conn.fetchval("SELECT count(*) FROM pgqueuer")
    return out


async def count_rows(db, user_id: uuid.UUID) -> dict[str, int]:
    async with db.connection() as conn:
        return {
            f"{table}.{column}": await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE {column} = $1",  # noqa: S608
                user_id,
            )
            for table, column in USER_COLUMNS
        }


def stored_file(client, object_key: str) -> Path:
    """Where the local store keeps an object on disk."""
    return client.app[keys.STORAGE].root / object_key


async def object_key(db, url: str) -> str:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT object_key FROM uploads WHERE url = $1", url)


@dataclass
class Leaver:
    """Someone about to delete their account, with something in every corner."""

    user: User
    other: User  # the other party of their conversation and orders
    company: dict
    co_admin: User
    conversation: dict
    message: dict
    files: dict[str, str] = field(default_factory=dict)  # what -> upload url
    order: dict = field(default_factory=dict)
    job: dict = field(default_factory=dict)


async def delete_body(user: User, password: str = PASSWORD) -> dict:
    return {"confirm": user.email, "password": password}


@pytest.fixture
async def leaver(api, db) -> Leaver:
    """An employer (also a freelancer and a student) with a profile and photo, resume,
    portfolio, a company they co-admin (whose logo they uploaded), a job they posted with an
    attachment, an application, a saved job, an alert, a gig with media, a completed and
    reviewed order as buyer, and a conversation in which they sent a message and a file."""
    user = await api.sign_up(["employer", "student", "freelancer"], full_name="Lee Leaver")
    other = await api.sign_up(["freelancer", "employer"], full_name="Olga Other")
    co_admin = await api.sign_up(["employer"], full_name="Cora Coadmin")
    files: dict[str, str] = {}
    for purpose in ("avatar", "resume", "portfolio", "gig_media", "org_logo"):
        files[purpose] = (await api.upload(user, purpose))["url"]
    await api.patch(
        f"/api/profiles/{user.id}",
        {"avatar_url": files["avatar"], "resume_url": files["resume"], "headline": "Leaving"},
        as_=user,
        expect=200,
    )
    company = await api.company(user, name="Leaver & Co")
    await api.patch(
        f"/api/organizations/{company['id']}",
        {"logo_url": files["org_logo"]},
        as_=user,
        expect=200,
    )
    invitation = await api.post(
        f"/api/organizations/{company['id']}/memberships",
        {"role_in_org": "admin", "user_id": str(co_admin.id)},
        as_=user,
        expect=201,
    )
    await api.post(f"/api/memberships/{invitation['id']}/approve", as_=co_admin, expect=200)
    attachments = await api.job_attachments(user)
    files["job_attachment"] = attachments[0]["url"]
    job = await api.job(user, company["id"], attachments=attachments)
    other_company = await api.company(other, name="Other Inc")
    other_job = await api.job(other, other_company["id"])
    await api.post(f"/api/jobs/{other_job['id']}/applications", {}, as_=user, expect=201)
    await api.call("PUT", f"/api/me/saved-jobs/{other_job['id']}", as_=user, expect=200)
    await api.post(
        "/api/me/job-alerts", {"frequency": "daily", "q": "python"}, as_=user, expect=201
    )
    media = [{"type": "image", "url": files["gig_media"]}]
    await api.gig(user, media_gallery=media)
    other_gig = await api.gig(other)
    order = await api.order(user, other_gig["id"])
    await api.order_action(other, order["id"], "accept")
    await api.order_action(other, order["id"], "deliver", BODIES["deliver"])
    await api.order_action(user, order["id"], "complete")
    await api.post(
        f"/api/orders/{order['id']}/review", {"rating": 5, "text": "Great"}, as_=user, expect=201
    )
    conversation = await api.post(
        "/api/conversations",
        {
            "participant_ids": [str(other.id)],
            "context": {"type": "gig", "id": other_gig["id"]},
        },
        as_=user,
        expect=201,
    )
    path = f"/api/conversations/{conversation['id']}/messages"
    message = await api.post(path, {"content": "Hello from Lee"}, as_=user, expect=201)
    files["message_attachment"] = (await api.upload(user, "message_attachment"))["url"]
    await api.post(
        path,
        {"attachment_url": files["message_attachment"], "attachment_type": "application/pdf"},
        as_=user,
        expect=201,
    )
    await api.post(path, {"content": "Hi Lee"}, as_=other, expect=201)
    return Leaver(user, other, company, co_admin, conversation, message, files, order, job)
