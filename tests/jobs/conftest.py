"""Helpers for job tests: an employer with a company, and memberships made directly.

Memberships are inserted with SQL because these tests are about jobs, not about how an
organization admin adds a recruiter (that has its own tests and routes).
"""

from __future__ import annotations

import uuid

import pytest

from tests.client import User


async def add_member(db, user: User, org_id: str, role: str, status: str = "active") -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO organization_memberships (user_id, organization_id, role_in_org, status)"
            " VALUES ($1, $2, $3, $4)",
            user.id,
            uuid.UUID(org_id),
            role,
            status,
        )


async def job_row(db, job_id: str) -> dict:
    """The stored job, for checking that a refused call changed nothing."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT title, description, skills_required, attachments, status, closed_at,"
            " location, salary_min, salary_max, salary_currency, updated_at"
            " FROM jobs WHERE id = $1",
            uuid.UUID(job_id),
        )
    return dict(row)


async def count_jobs(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM jobs")


@pytest.fixture
async def employer(api) -> User:
    return await api.sign_up(["employer"])


@pytest.fixture
async def company(api, employer) -> dict:
    return await api.company(employer, name="Acme Corp")
