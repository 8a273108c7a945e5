"""Fixtures for messaging: the people and contexts conversations are started about, and small
drivers for the conversation routes. Everything is made through the REST routes of its
domain, as a client would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.client import User


class Chat:
    """Arranges contexts and calls the messaging routes as a given user."""

    def __init__(self, api, db):
        self.api = api
        self.db = db

    # -- other domains' rows -------------------------------------------------------------

    async def add_member(
        self, org: dict, admin: User, user: User, role: str, status: str = "active"
    ) -> None:
        """Make `user` a member with `status` through the membership routes: `admin`
        invites, the invitee accepts (active), and the admin ends it again (inactive)."""
        invitation = await self.api.post(
            f"/api/organizations/{org['id']}/memberships",
            {"role_in_org": role, "user_id": str(user.id)},
            as_=admin,
            expect=201,
        )
        if status == "pending":
            return
        action = f"/api/memberships/{invitation['id']}"
        await self.api.post(f"{action}/approve", as_=user, expect=200)
        if status == "inactive":
            await self.api.post(f"{action}/deactivate", as_=admin, expect=200)

    async def job(self, company: dict, poster: User) -> uuid.UUID:
        return uuid.UUID((await self.api.job(poster, company["id"]))["id"])

    async def application(self, job_id: uuid.UUID, candidate: User) -> uuid.UUID:
        path = f"/api/jobs/{job_id}/applications"
        return uuid.UUID((await self.api.post(path, {}, as_=candidate, expect=201))["id"])

    async def gig(self, freelancer: User) -> uuid.UUID:
        body = {
            "title": "Logo design",
            "description": "I draw logos.",
            "pricing_tiers": {
                "basic": {
                    "price": 5000,
                    "currency": "USD",
                    "delivery_days": 3,
                    "description": "One logo",
                }
            },
        }
        return uuid.UUID((await self.api.post("/api/gigs", body, as_=freelancer, expect=201))["id"])

    # -- messaging routes ------------------------------------------------------------------

    async def start(
        self,
        caller: User,
        others: list[User],
        context_type: str,
        context_id: Any,
        *,
        message: dict | None = None,
        expect: int = 201,
    ) -> dict:
        body: dict[str, Any] = {
            "participant_ids": [str(u.id) for u in others],
            "context": {"type": context_type, "id": str(context_id)},
        }
        if message is not None:
            body["message"] = message
        return await self.api.post("/api/conversations", body, as_=caller, expect=expect)

    async def send(
        self, sender: User, conversation: dict, content: str | None = "hello", **fields: Any
    ) -> dict:
        expect = fields.pop("expect", 201)
        body = {"content": content, **fields} if content is not None else fields
        path = f"/api/conversations/{conversation['id']}/messages"
        return await self.api.post(path, body, as_=sender, expect=expect)

    async def history(self, user: User, conversation: dict, expect: int = 200, **query) -> dict:
        path = f"/api/conversations/{conversation['id']}/messages"
        return await self.api.get(path, as_=user, params=query, expect=expect)

    async def read(self, user: User, conversation: dict, seq: int, expect: int = 200) -> dict:
        path = f"/api/conversations/{conversation['id']}/read"
        return await self.api.post(path, {"seq": seq}, as_=user, expect=expect)

    async def counts(self) -> dict[str, int]:
        """Rows in each messaging table, to show a refused call created nothing."""
        async with self.db.connection() as conn:
            return {
                table: await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
                for table in ("conversations", "conversation_participants", "messages")
            }


@pytest.fixture
def chat(api, db) -> Chat:
    return Chat(api, db)


@dataclass
class Hiring:
    """A company with an admin and a recruiter, a job, and one candidate's application."""

    company: dict
    admin: User
    recruiter: User
    candidate: User
    job_id: uuid.UUID
    application_id: uuid.UUID


@pytest.fixture
async def hiring(api, chat: Chat) -> Hiring:
    admin = await api.sign_up(["employer"], full_name="Hana Admin")
    company = await api.company(admin, name="Acme")
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    await chat.add_member(company, admin, recruiter, "recruiter")
    candidate = await api.sign_up(["student"], full_name="Cam Candidate")
    job_id = await chat.job(company, admin)
    application_id = await chat.application(job_id, candidate)
    return Hiring(company, admin, recruiter, candidate, job_id, application_id)


@pytest.fixture
async def pair(api, hiring: Hiring, chat: Chat) -> tuple[User, User, dict]:
    """A recruiter and a candidate in a conversation about the application."""
    conversation = await chat.start(
        hiring.recruiter, [hiring.candidate], "application", hiring.application_id
    )
    return hiring.recruiter, hiring.candidate, conversation
