"""Organizations and memberships: rules and transactions."""

from __future__ import annotations

import uuid

import msgspec

from server.db import Database
from server.errors import Forbidden, NotFound
from server.orgs import schemas


def to_org(row) -> schemas.Organization:
    return msgspec.convert(dict(row), schemas.Organization)


class OrganizationService:
    def __init__(self, db: Database):
        self.db = db

    async def create(
        self,
        creator_id: uuid.UUID,
        creator_roles: tuple[str, ...],
        body: schemas.OrganizationCreate,
    ) -> schemas.Organization:
        """Create a company or institute; its creator becomes an active admin member in the
        same transaction (workflow 1, step 1)."""
        if body.type == "company" and "employer" not in creator_roles:
            raise Forbidden("add the employer role (POST /api/me/roles) before creating a company")
        q = self.db.q.orgs
        async with self.db.transaction() as tx:
            row = await q.insert_organization(
                tx.conn,
                name=body.name.strip(),
                type=body.type,
                description=body.description,
                logo_url=body.logo_url,
                website_url=body.website_url,
                location=body.location,
                created_by=creator_id,
            )
            await q.insert_membership(
                tx.conn,
                user_id=creator_id,
                organization_id=row["id"],
                role_in_org="admin",
                status="active",
                invited_by=None,
            )
            return to_org(row)

    async def get(self, organization_id: uuid.UUID) -> schemas.Organization:
        async with self.db.connection() as conn:
            row = await self.db.q.orgs.get_organization(conn, organization_id=organization_id)
        if row is None:
            raise NotFound("no such organization")
        return to_org(row)
