"""Job alerts: a user's saved board searches (the rules; matching is in matching.py and the
email digest in digest.py)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec

from server.db import Database, fetch_all, like_contains
from server.errors import Conflict, Invalid, NotFound
from server.job_alerts import schemas
from server.jobs.service import clean_skills
from server.paging import AwareDatetime, decode_cursor, keyset_page

# Enough for every search a person keeps an eye on; a bound on what one user's alerts cost
# the matcher.
MAX_ALERTS = 50
NO_SUCH_ALERT = "no such job alert"
SEARCH_FIELDS = (
    "q",
    "skills",
    "skills_match",
    "location",
    "employment_type",
    "remote",
    "company_id",
    "frequency",
)


def to_alert(row: asyncpg.Record) -> schemas.JobAlert:
    return msgspec.convert(dict(row), schemas.JobAlert)


def normalise(fields: dict[str, Any]) -> dict[str, Any]:
    """The search as the board runs it (server/jobs/service.py search): the text and location
    trimmed (blank is no filter), skills cleaned the same way, and the location's ILIKE
    pattern made once."""
    q = (fields["q"] or "").strip()
    location = (fields["location"] or "").strip()
    skills = clean_skills([s for s in fields["skills"] if s.strip()], "skills")
    return fields | {
        "q": q or None,
        "skills": skills,
        "location": location or None,
        "location_pattern": like_contains(location) if location else None,
    }


class JobAlertService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.job_alerts

    async def _check_company(self, conn: asyncpg.Connection, company_id: uuid.UUID | None) -> None:
        if company_id is None:
            return
        if await self.db.q.jobs.get_organization_type(conn, organization_id=company_id) is None:
            raise Invalid.field("company_id", "no such organization")

    async def create(self, user_id: uuid.UUID, body: schemas.JobAlertCreate) -> schemas.JobAlert:
        fields = normalise({name: getattr(body, name) for name in SEARCH_FIELDS})
        async with self.db.transaction() as tx:
            await self._check_company(tx.conn, fields["company_id"])
            # One creation at a time per user, or two could both count MAX_ALERTS - 1.
            await self.q.lock_job_alert_owner(tx.conn, user_id=user_id)
            if await self.q.count_job_alerts(tx.conn, user_id=user_id) >= MAX_ALERTS:
                raise Conflict(f"you have {MAX_ALERTS} job alerts already: delete one first")
            row = await self.q.insert_job_alert(tx.conn, user_id=user_id, **fields)
            if fields["frequency"] == "daily":
                # Asking for a daily alert is asking for the digest again (after an unsubscribe).
                await self.q.set_job_alert_emails(tx.conn, user_id=user_id, enabled=True)
        return to_alert(row)

    async def update(
        self, user_id: uuid.UUID, alert_id: uuid.UUID, body: schemas.JobAlertUpdate
    ) -> schemas.JobAlert:
        changes = {
            name: value
            for name, value in msgspec.structs.asdict(body).items()
            if value is not msgspec.UNSET
        }
        async with self.db.transaction() as tx:
            row = await self.q.lock_job_alert(tx.conn, alert_id=alert_id, user_id=user_id)
            if row is None:
                raise NotFound(NO_SUCH_ALERT)
            if not changes:
                return to_alert(row)
            merged = {name: row[name] for name in SEARCH_FIELDS} | changes
            fields = normalise(merged)
            if "company_id" in changes:
                await self._check_company(tx.conn, fields["company_id"])
            updated = await self.q.update_job_alert(
                tx.conn, alert_id=alert_id, user_id=user_id, **fields
            )
            if changes.get("frequency") == "daily":
                # Only a request for daily emails asks for the digest again: editing the words
                # of a daily alert does not undo a one-click unsubscribe.
                await self.q.set_job_alert_emails(tx.conn, user_id=user_id, enabled=True)
        return to_alert(updated)

    async def delete(self, user_id: uuid.UUID, alert_id: uuid.UUID) -> None:
        """Its matches go with it: nothing more is sent for it, digest included."""
        async with self.db.statement() as conn:
            if await self.q.delete_job_alert(conn, alert_id=alert_id, user_id=user_id) is None:
                raise NotFound(NO_SUCH_ALERT)

    async def list_mine(
        self, user_id: uuid.UUID, query: schemas.JobAlertListQuery
    ) -> schemas.JobAlertPage:
        after = decode_cursor(query.cursor, (AwareDatetime, uuid.UUID))
        after_created_at, after_id = after if after else (None, None)
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_job_alerts,
                conn,
                user_id=user_id,
                after_created_at=after_created_at,
                after_id=after_id,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["created_at"], r["id"]))
        return schemas.JobAlertPage(items=[to_alert(r) for r in page], next=next_cursor)

    async def emails_enabled(self, user_id: uuid.UUID) -> bool:
        async with self.db.statement() as conn:
            return bool(await self.q.get_job_alert_emails(conn, user_id=user_id))

    async def set_emails(self, user_id: uuid.UUID, enabled: bool) -> bool:
        """The digest email on or off; False when there is no such user."""
        async with self.db.statement() as conn:
            return (
                await self.q.set_job_alert_emails(conn, user_id=user_id, enabled=enabled)
                is not None
            )
