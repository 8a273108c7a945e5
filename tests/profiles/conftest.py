"""Helpers for profile tests.

The "candidate applied to a company" situation is set up with SQL here, straight into the
tables of migrations 0004 and 0006: it was written before the jobs and applications routes
landed, and it sets statuses and memberships the routes would need several calls for.
"""

from __future__ import annotations

import uuid

import pytest


class Hiring:
    def __init__(self, db):
        self.db = db

    async def apply(
        self, company_id: str, poster_id: uuid.UUID, candidate_id: uuid.UUID, status="submitted"
    ) -> uuid.UUID:
        """Post a job for the company and file the candidate's application to it."""
        async with self.db.connection() as conn:
            job_id = await conn.fetchval(
                "INSERT INTO jobs (company_id, poster_id, title, description)"
                " VALUES ($1, $2, 'Backend Intern', 'Python and PostgreSQL') RETURNING id",
                uuid.UUID(company_id),
                poster_id,
            )
            return await conn.fetchval(
                "INSERT INTO job_applications (job_id, candidate_id, status)"
                " VALUES ($1, $2, $3) RETURNING id",
                job_id,
                candidate_id,
                status,
            )

    async def add_member(
        self, company_id: str, user_id: uuid.UUID, role: str, status: str = "active"
    ) -> None:
        async with self.db.connection() as conn:
            await conn.execute(
                "INSERT INTO organization_memberships"
                " (user_id, organization_id, role_in_org, status) VALUES ($1, $2, $3, $4)",
                user_id,
                uuid.UUID(company_id),
                role,
                status,
            )


@pytest.fixture
def hiring(db) -> Hiring:
    return Hiring(db)


@pytest.fixture
def stored_profile(db):
    """Read a profile row straight from the table, to check what a call did or did not do."""

    async def read(user_id: uuid.UUID) -> dict:
        async with db.connection() as conn:
            row = await conn.fetchrow("SELECT * FROM profiles WHERE user_id = $1", user_id)
        return dict(row)

    return read
