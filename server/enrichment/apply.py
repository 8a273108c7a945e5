"""The merge that ends an enrichment delivery: the parsed resume applied to its owner's
profile.

``EnrichmentMerger.merge`` is idempotent: it merges, marks the enrichment succeeded and
stores the notification in ONE transaction that first locks the enrichment row, so however
often a job is delivered (a crashed worker's job is delivered again) the profile is merged
and the user told exactly once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import msgspec

from server.db import Database, Transaction, fetch_all
from server.enrichment import schemas
from server.enrichment.events import ProfileEnrichedPayload, announce_enriched
from server.enrichment.merge import fold, merge
from server.enrichment.parse import Parsed
from server.enrichment.vocabulary import canonical_key

log = logging.getLogger("rizeos.enrichment")


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
