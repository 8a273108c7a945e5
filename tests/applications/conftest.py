"""Helpers for application tests: a company with an open job, and candidates with profiles.

Profiles and memberships are written with SQL because these tests are about applications;
the profile and membership routes have their own tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.client import User


@dataclass
class Hiring:
    admin: User
    company: dict
    job: dict


async def give_profile(db, user: User, **fields) -> None:
    profile = {
        "full_name": "Ana Student",
        "headline": "CS undergrad who likes databases",
        "resume_url": "https://files.example.com/ana-resume.pdf",
        "skills": {"claimed": ["Python", "SQL"], "verified": ["Python"]},
        **fields,
    }
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO profiles (user_id, full_name, headline, resume_url, skills)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET"
            " full_name = $2, headline = $3, resume_url = $4, skills = $5",
            user.id,
            profile["full_name"],
            profile["headline"],
            profile["resume_url"],
            profile["skills"],
        )


async def application_row(db, application_id: str) -> dict | None:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, status_changed_at, updated_at, cover_letter"
            " FROM job_applications WHERE id = $1",
            uuid.UUID(application_id),
        )
    return dict(row) if row else None


async def count_applications(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM job_applications")


async def set_status(db, application_id: str, status: str) -> None:
    """Put an application straight into a state, to test the moves out of it."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE job_applications SET status = $2 WHERE id = $1",
            uuid.UUID(application_id),
            status,
        )


@pytest.fixture
async def hiring(api) -> Hiring:
    admin = await api.sign_up(["employer"])
    company = await api.company(admin, name="Acme Corp")
    job = await api.job(admin, company["id"], title="Backend Intern")
    return Hiring(admin=admin, company=company, job=job)


@pytest.fixture
async def student(api, db) -> User:
    user = await api.sign_up(["student"])
    await give_profile(db, user)
    return user


@pytest.fixture
async def applied(api, hiring, student) -> dict:
    """The student's application to the hiring company's job."""
    return await api.post(
        f"/api/jobs/{hiring.job['id']}/applications",
        {"cover_letter": "I would love to build your APIs."},
        as_=student,
        expect=201,
    )
