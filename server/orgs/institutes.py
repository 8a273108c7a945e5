"""An institute's page: its public figures (how many of its students applied to jobs and how
many were hired) and, for its admins, the students themselves."""

from __future__ import annotations

import uuid

import msgspec

from server.db import Database, fetch_all
from server.errors import Forbidden, NotFound
from server.orgs import schemas
from server.orgs.access import MANAGE, has_org_role
from server.orgs.memberships import after_cursor
from server.paging import keyset_page


class InstituteService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.orgs

    async def _institute(self, conn, organization_id: uuid.UUID):
        org = await self.q.get_organization(conn, organization_id=organization_id)
        if org is None or org["type"] != "institute":
            raise NotFound("no such institute")
        return org

    async def outcomes(self, organization_id: uuid.UUID) -> schemas.InstituteOutcomes:
        """Counts only, for anyone: they say how an institute's students fare without
        saying who applied where."""
        async with self.db.connection() as conn:
            await self._institute(conn, organization_id)
            row = await self.q.count_institute_outcomes(conn, organization_id=organization_id)
        return schemas.InstituteOutcomes(organization_id=organization_id, **dict(row))

    async def students(
        self, caller_id: uuid.UUID, organization_id: uuid.UUID, query: schemas.PageQuery
    ) -> schemas.InstituteStudentPage:
        """The active students and alumni with their application figures: the institute's
        admins only (a student's applications are theirs to show, and the admins are who the
        student joined)."""
        after_created_at, after_id = after_cursor(query.cursor)
        async with self.db.connection() as conn:
            await self._institute(conn, organization_id)
            if not await has_org_role(self.db, conn, caller_id, organization_id, MANAGE):
                raise Forbidden("only active admin members of this institute see its students")
            rows = await fetch_all(
                self.q.list_institute_students,
                conn,
                organization_id=organization_id,
                after_created_at=after_created_at,
                after_id=after_id,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["created_at"], r["id"]))
        items = [
            msgspec.convert({**dict(r), "membership_id": r["id"]}, schemas.InstituteStudent)
            for r in page
        ]
        return schemas.InstituteStudentPage(items=items, next=next_cursor)
