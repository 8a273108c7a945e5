"""Profile enrichment: ask for one, show it, and the merge that ends a delivery.

Asking queues the ``enrichment_jobs`` row and its job in the caller's transaction
(``server/enrichment/worker.py`` has the queueing and the rest of a delivery). The merge
(``EnrichmentMerger.merge``) is idempotent: it merges, marks the enrichment succeeded and
stores the notification in ONE transaction that first locks the enrichment row, so however
often a job is delivered (a crashed worker's job is delivered again) the profile is merged
and the user told exactly once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from server.db import Database, Transaction, fetch_all
from server.enrichment import schemas
from server.enrichment.events import ProfileEnrichedPayload, announce_enriched
from server.enrichment.merge import fold, merge
from server.enrichment.parse import Parsed
from server.enrichment.vocabulary import canonical_key
from server.enrichment.worker import enqueue
from server.errors import FieldError, Forbidden, Invalid, NotFound, RateLimited
from server.uploads.refs import FileRef, require_uploads

log = logging.getLogger("rizeos.enrichment")

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


class EnrichmentMerger:
    """The last step of a delivery (``server/enrichment/worker.py`` runs the others): the
    parsed resume merged into the profile, the enrichment marked succeeded and the
    notification stored, in one transaction that first locks the enrichment row."""

    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.enrichment

    async def merge(self, enrichment_id: uuid.UUID, parsed: Parsed) -> str:
        q = self.q
        async with self.db.transaction() as tx:
            job = await q.lock_enrichment(tx.conn, enrichment_id=enrichment_id)
            if job is None or job["status"] in ("succeeded", "failed"):
                return "finished-before"
            user_id = job["user_id"]
            profile = await q.lock_profile_for_merge(tx.conn, user_id=user_id)
            if profile is None:
                await q.fail_enrichment(tx.conn, enrichment_id=enrichment_id, error="no profile")
                return "failed"
            sources = {
                r["skill_key"] for r in await fetch_all(q.skill_sources, tx.conn, user_id=user_id)
            }
            institutes = await self._organizations(
                tx, [e["institution"] for e in parsed.education], "institute"
            )
            companies = await self._organizations(
                tx, [e["company"] for e in parsed.experience], "company"
            )
            merged = merge(profile, sources, parsed, institutes, companies)
            if merged.changed:
                await q.merge_profile_documents(
                    tx.conn,
                    user_id=user_id,
                    claimed=merged.claimed,
                    experience=merged.experience,
                    education=merged.education,
                    portfolio=merged.portfolio,
                )
            if merged.skills_added:
                await q.record_skill_sources(
                    tx.conn,
                    user_id=user_id,
                    skill_keys=[canonical_key(s) for s in merged.skills_added],
                    enrichment_id=enrichment_id,
                )
            result = schemas.EnrichmentResult(
                skills=[schemas.ExtractedSkill(name=s) for s in parsed.skills],
                experience=[
                    schemas.ExtractedExperience(
                        **e, organization_id=companies.get(fold(e["company"]))
                    )
                    for e in parsed.experience
                ],
                education=[
                    schemas.ExtractedEducation(
                        **e,
                        organization_id=institutes.get(fold(e["institution"])),
                    )
                    for e in parsed.education
                ],
                links=parsed.links,
                skills_added=merged.skills_added,
                experience_added=merged.experience_added,
                education_added=merged.education_added,
                links_added=merged.links_added,
            )
            await q.succeed_enrichment(
                tx.conn, enrichment_id=enrichment_id, result=msgspec.to_builtins(result)
            )
            await announce_enriched(
                self.db,
                tx,
                ProfileEnrichedPayload(
                    user_id=user_id,
                    enrichment_id=enrichment_id,
                    resume_url=job["resume_url"],
                    skills_added=merged.skills_added,
                    enriched_at=datetime.now(UTC),
                ),
            )
        log.info("enrichment %s merged: %d skills added", enrichment_id, len(merged.skills_added))
        return "succeeded"

    async def _organizations(
        self, tx: Transaction, names: list[str], org_type: str
    ) -> dict[str, uuid.UUID]:
        """Organizations of ``org_type`` named like these (case-insensitively), by folded name;
        the oldest wins when two share a name."""
        keys = sorted({fold(n) for n in names if n})
        if not keys:
            return {}
        rows = await fetch_all(
            self.q.organizations_named, tx.conn, names=[k.lower() for k in keys], org_type=org_type
        )
        found: dict[str, uuid.UUID] = {}
        for row in rows:
            found.setdefault(row["name_key"], row["id"])
        return found
