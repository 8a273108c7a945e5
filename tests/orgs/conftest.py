"""Fixtures for the organizations domain: snapshots to prove a refused call changed nothing,
and small drivers for the membership routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.client import User

State = Callable[[], Awaitable[dict[str, list[dict[str, Any]]]]]


@pytest.fixture
def org_state(db) -> State:
    """Every organization and membership row, to compare before and after a refused call."""

    async def state() -> dict[str, list[dict[str, Any]]]:
        async with db.connection() as conn:
            orgs = await conn.fetch("SELECT * FROM organizations ORDER BY id")
            memberships = await conn.fetch("SELECT * FROM organization_memberships ORDER BY id")
        return {
            "organizations": [dict(r) for r in orgs],
            "memberships": [dict(r) for r in memberships],
        }

    return state


class Memberships:
    """Calls the membership routes as a given user."""

    def __init__(self, api):
        self.api = api

    async def join(self, user: User, org: dict, role: str, expect: int = 201) -> dict:
        path = f"/api/organizations/{org['id']}/memberships"
        return await self.api.post(path, {"role_in_org": role}, as_=user, expect=expect)

    async def invite(
        self, admin: User, org: dict, invitee: User, role: str, expect: int = 201
    ) -> dict:
        body = {"role_in_org": role, "email": invitee.email}
        path = f"/api/organizations/{org['id']}/memberships"
        return await self.api.post(path, body, as_=admin, expect=expect)

    async def act(self, user: User | None, membership: dict, action: str, expect: int) -> dict:
        path = f"/api/memberships/{membership['id']}/{action}"
        return await self.api.post(path, as_=user, expect=expect)

    async def member_of(self, org: dict, role: str, admin: User, roles=("student",)) -> User:
        """A new verified user who is an active member (invited by `admin`, accepted)."""
        user = await self.api.sign_up(list(roles))
        invitation = await self.invite(admin, org, user, role)
        await self.act(user, invitation, "approve", 200)
        return user


@pytest.fixture
def memberships(api) -> Memberships:
    return Memberships(api)


@pytest.fixture
async def today(db):
    async with db.connection() as conn:
        return (await conn.fetchval("SELECT current_date")).isoformat()


@pytest.fixture
async def institute(api):
    """(its admin, the institute)"""
    owner = await api.sign_up(["professional"])
    org = await api.institute(owner, name="State University")
    return owner, org


@pytest.fixture
async def company(api):
    """(its admin, the company)"""
    hr = await api.sign_up(["employer"])
    org = await api.company(hr, name="Acme Corp")
    return hr, org


@pytest.fixture
def domain_rows(db):
    """Every domain row and every organization's domain_verified, to prove a refusal changed
    nothing."""

    async def rows():
        async with db.connection() as conn:
            domains = await conn.fetch("SELECT * FROM institute_domains ORDER BY id")
            orgs = await conn.fetch("SELECT id, domain_verified FROM organizations ORDER BY id")
        return [dict(r) for r in domains], [dict(r) for r in orgs]

    return rows
