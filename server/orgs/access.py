"""Who may act for an organization: the one place membership-based permissions are checked.

Rules (also in docs/organizations.md):
* ``admin`` members (active) manage the organization: edit it, manage its memberships,
  and do everything a recruiter does.
* ``recruiter`` members (active) of a company post and edit its jobs and see and move its
  applications. Pending and inactive memberships grant nothing.
"""

from __future__ import annotations

import uuid

import asyncpg

from server.db import Database
from server.errors import Forbidden

MANAGE = frozenset({"admin"})
HIRE = frozenset({"admin", "recruiter"})


async def active_roles(
    db: Database, conn: asyncpg.Connection, user_id: uuid.UUID, organization_id: uuid.UUID
) -> set[str]:
    roles = await db.q.orgs.active_roles_in_org(
        conn, user_id=user_id, organization_id=organization_id
    )
    return set(roles or ())


async def has_org_role(
    db: Database,
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    allowed: frozenset[str],
) -> bool:
    return bool(await active_roles(db, conn, user_id, organization_id) & allowed)


async def require_org_role(
    db: Database,
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    allowed: frozenset[str],
    action: str,
) -> None:
    """Raise 403 unless the user holds one of ``allowed`` as an active member."""
    if not await has_org_role(db, conn, user_id, organization_id, allowed):
        wanted = " or ".join(sorted(allowed))
        raise Forbidden(f"only active {wanted} members of this organization may {action}")
