"""Organizations: create, read, edit, search, and platform-admin verification."""

from __future__ import annotations

import uuid

import msgspec

from server.db import Database, fetch_all, like_contains
from server.errors import BadRequest, Forbidden, NotFound
from server.invalidation import key
from server.orgs import schemas
from server.orgs.access import MANAGE, has_org_role, require_org_role
from server.paging import decode_cursor, keyset_page
from server.uploads.refs import FileRef, require_uploads


def logo_refs(logo_url: str | None) -> list[FileRef]:
    return [FileRef("body.logo_url", logo_url, "org_logo", ("image",))] if logo_url else []


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
            await require_uploads(self.db, tx.conn, creator_id, logo_refs(body.logo_url))
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

    async def has_role(
        self, user_id: uuid.UUID, organization_id: uuid.UUID, allowed: frozenset[str]
    ) -> bool:
        """Whether the user is an active member holding one of ``allowed`` (for pages that
        show or hide what the user may do; services check inside their own transaction)."""
        async with self.db.connection() as conn:
            return await has_org_role(self.db, conn, user_id, organization_id, allowed)

    async def require_role(
        self,
        user_id: uuid.UUID,
        organization_id: uuid.UUID,
        allowed: frozenset[str],
        action: str,
    ) -> None:
        """403 unless the user is an active member holding one of ``allowed``."""
        async with self.db.connection() as conn:
            await require_org_role(self.db, conn, user_id, organization_id, allowed, action)

    async def update(
        self, caller_id: uuid.UUID, organization_id: uuid.UUID, body: schemas.OrganizationUpdate
    ) -> schemas.Organization:
        changes = {
            name: value
            for name in body.__struct_fields__
            if (value := getattr(body, name)) is not msgspec.UNSET
        }
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        q = self.db.q.orgs
        async with self.db.transaction() as tx:
            row = await q.get_organization(tx.conn, organization_id=organization_id)
            if row is None:
                raise NotFound("no such organization")
            await require_org_role(self.db, tx.conn, caller_id, organization_id, MANAGE, "edit it")
            if changes.get("logo_url"):
                # The current logo (perhaps another admin's upload) may be sent back unchanged.
                keep = {row["logo_url"]} if row["logo_url"] else set()
                await require_uploads(
                    self.db, tx.conn, caller_id, logo_refs(changes["logo_url"]), keep
                )
            if not changes:
                return to_org(row)
            row = await q.update_organization(
                tx.conn, organization_id=organization_id, changes=changes
            )
            tx.invalidate(key("org", organization_id))  # its jobs show its name
            return to_org(row)

    async def set_verified(
        self, organization_id: uuid.UUID, is_verified: bool
    ) -> schemas.Organization:
        async with self.db.transaction() as tx:
            row = await self.db.q.orgs.set_organization_verified(
                tx.conn, organization_id=organization_id, is_verified=is_verified
            )
            if row is None:
                raise NotFound("no such organization")
            return to_org(row)

    async def search(self, query: schemas.OrganizationSearch) -> schemas.OrganizationPage:
        """Verified organizations first (platform- or domain-verified), then by name, so the
        real institute is above a look-alike; keyset on (verified_rank, name, id)."""
        after = decode_cursor(query.cursor, (int, str, uuid.UUID))
        after_rank, after_name, after_id = after if after else (None, None, None)
        if after_rank not in (None, 0, 1):
            raise BadRequest("invalid cursor: pass back the `next` value of a previous page")
        text = query.q.strip() if query.q else ""
        q = self.db.q.orgs
        params = {
            "type": query.type,
            "after_rank": after_rank,
            "after_name": after_name,
            "after_id": after_id,
            "limit": query.limit + 1,
        }
        async with self.db.connection() as conn:
            if text:
                pattern = like_contains(text)
                rows = await fetch_all(q.search_organizations, conn, pattern=pattern, **params)
            else:
                rows = await fetch_all(q.list_organizations, conn, **params)
        page, next_cursor = keyset_page(
            rows, query.limit, lambda r: (r["verified_rank"], r["name"], r["id"])
        )
        return schemas.OrganizationPage(items=[to_org(r) for r in page], next=next_cursor)
