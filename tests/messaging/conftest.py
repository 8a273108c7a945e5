"""Fixtures for messaging: the people and contexts conversations are started about, and small
drivers for the conversation routes.

Jobs, applications, gigs and membership changes belong to other domains whose routes are
still being built, so their rows are inserted with SQL here; conversations and messages are
only ever made through the messaging routes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import User


class Chat:
    """Arranges contexts and calls the messaging routes as a given user."""

    def __init__(self, api, db):
        self.api = api
        self.db = db

    # -- rows owned by other domains -------------------------------------------------------

    async def add_member(
        self, org: dict, user: User, role: str = "recruiter", status: str = "active"
    ) -> None:
        async with self.db.connection() as conn:
            await conn.execute(
                "INSERT INTO organization_memberships (user_id, organization_id, role_in_org,"
                " status) VALUES ($1, $2, $3, $4)",
                user.id,
                uuid.UUID(org["id"]),
                role,
                status,
            )

    async def job(self, company: dict, poster: User) -> uuid.UUID:
        async with self.db.connection() as conn:
            return await conn.fetchval(
                "INSERT INTO jobs (company_id, poster_id, title, description)"
                " VALUES ($1, $2, 'Backend Intern', 'Build APIs.') RETURNING id",
                uuid.UUID(company["id"]),
                poster.id,
            )

    async def application(self, job_id: uuid.UUID, candidate: User) -> uuid.UUID:
        async with self.db.connection() as conn:
            return await conn.fetchval(
                "INSERT INTO job_applications (job_id, candidate_id) VALUES ($1, $2) RETURNING id",
                job_id,
                candidate.id,
            )

    async def gig(self, freelancer: User) -> uuid.UUID:
        tiers = {
            "basic": {"price": 5000, "currency": "USD", "delivery_days": 3, "description": "A logo"}
        }
        async with self.db.connection() as conn:
            return await conn.fetchval(
                "INSERT INTO gigs (freelancer_id, title, description, pricing_tiers)"
                " VALUES ($1, 'Logo design', 'I draw logos.', $2) RETURNING id",
                freelancer.id,
                tiers,
            )

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
    await chat.add_member(company, recruiter, "recruiter")
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
