"""Private team notes on an application (issue 15, item 4).

Only the hiring company's active admins and recruiters write and read them. Everyone else,
the candidate first of all, is told the application does not exist (404), so a note's
existence leaks to nobody; that includes a candidate who later joined the hiring team: their
own application's notes stay hidden from them. No candidate-facing query reads this table.
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from server.applications import schemas
from server.applications.service import NO_SUCH_APPLICATION
from server.db import Database, fetch_all
from server.errors import NotFound
from server.orgs.access import HIRE, has_org_role
from server.paging import AwareDatetime, decode_cursor, keyset_page


def to_note(row: asyncpg.Record) -> schemas.Note:
    return msgspec.convert(dict(row), schemas.Note)


def _note_key(row: asyncpg.Record) -> tuple:
    return (row["created_at"], row["id"])


class NoteService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.applications

    async def _require_team(
        self, conn: asyncpg.Connection, user_id: uuid.UUID, application_id: uuid.UUID
    ) -> None:
        parties = await self.q.get_application_parties(conn, application_id=application_id)
        if (
            parties is None
            or parties["candidate_id"] == user_id
            or not await has_org_role(self.db, conn, user_id, parties["company_id"], HIRE)
        ):
            raise NotFound(NO_SUCH_APPLICATION)

    async def add(
        self, user_id: uuid.UUID, application_id: uuid.UUID, body: schemas.NoteCreate
    ) -> schemas.Note:
        async with self.db.transaction() as tx:
            await self._require_team(tx.conn, user_id, application_id)
            note_id = await self.q.insert_application_note(
                tx.conn, application_id=application_id, author_id=user_id, body=body.body.strip()
            )
            rows = await fetch_all(
                self.q.list_application_notes,
                tx.conn,
                application_id=application_id,
                note_id=note_id,
                after_created_at=None,
                after_id=None,
                limit=1,
            )
        return to_note(rows[0])

    async def list_for(
        self, user_id: uuid.UUID, application_id: uuid.UUID, query: schemas.NoteListQuery
    ) -> schemas.NotePage:
        after = decode_cursor(query.cursor, (AwareDatetime, uuid.UUID))
        async with self.db.connection() as conn:
            await self._require_team(conn, user_id, application_id)
            rows = await fetch_all(
                self.q.list_application_notes,
                conn,
                application_id=application_id,
                note_id=None,
                after_created_at=after[0] if after else None,
                after_id=after[1] if after else None,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, _note_key)
        return schemas.NotePage(items=[to_note(r) for r in page], next=next_cursor)
