"""Profile enrichment: ask for one, and show it.

Asking queues the ``enrichment_jobs`` row and its job in the caller's transaction
(``worker.py`` has the queueing and a delivery; ``apply.py`` the merge that ends it).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from server.db import Database
from server.enrichment import schemas
from server.enrichment.worker import enqueue
from server.errors import FieldError, Forbidden, Invalid, NotFound, RateLimited
from server.uploads.refs import FileRef, require_uploads

NO_SUCH_ENRICHMENT = "no such enrichment"


def to_enrichment(row: Any) -> schemas.Enrichment:
    return msgspec.convert(dict(row), schemas.Enrichment)


# Queued or running enrichments one user may have at once (each resume at most once).
MAX_ACTIVE_PER_USER = 3


class EnrichmentService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.enrichment

    async def request(
        self, caller_id: uuid.UUID, body: schemas.ProcessProfileRequest
    ) -> schemas.Enrichment:
        if caller_id != body.user_id:
            raise Forbidden("only the owner of a profile may ask for its enrichment")
        async with self.db.transaction() as tx:
            profile = await self.db.q.profiles.get_profile(tx.conn, user_id=body.user_id)
            if profile is None:
                raise NotFound("no such user")
            url = body.resume_url or profile["resume_url"]
            if not url:
                raise Invalid(
                    "body.resume_url: the profile has no resume; upload one first",
                    [FieldError(field="body.resume_url", message="the profile has no resume")],
                )
            # Only the owner's own completed resume upload: a made-up URL would queue work
            # for nothing, and distinct URLs would get round the de-duplication below.
            await require_uploads(
                self.db, tx.conn, body.user_id, [FileRef("body.resume_url", url, "resume")]
            )
            pending = await self.q.find_pending_enrichment(
                tx.conn, user_id=body.user_id, resume_url=url
            )
            if pending is not None:
                return to_enrichment(pending)
            active = await self.q.count_active_enrichments(tx.conn, user_id=body.user_id)
            if active >= MAX_ACTIVE_PER_USER:
                raise RateLimited(
                    f"{active} enrichments of yours are already queued or running; "
                    "wait for one to finish"
                )
            row = await enqueue(self.db, tx, body.user_id, caller_id, url)
        return to_enrichment(row)

    async def get(self, caller_id: uuid.UUID, enrichment_id: uuid.UUID) -> schemas.Enrichment:
        """The owner's enrichment; anyone else's is "no such" (404), as if it did not exist."""
        async with self.db.connection() as conn:
            row = await self.q.get_enrichment(conn, enrichment_id=enrichment_id)
        if row is None or row["user_id"] != caller_id:
            raise NotFound(NO_SUCH_ENRICHMENT)
        return to_enrichment(row)

    async def latest(self, user_id: uuid.UUID) -> schemas.Enrichment | None:
        """The user's newest enrichment, if any (only ever shown to the user themself)."""
        async with self.db.connection() as conn:
            row = await self.q.get_latest_enrichment(conn, user_id=user_id)
        return None if row is None else to_enrichment(row)
