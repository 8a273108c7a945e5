"""The live event of enrichment: ``profile.enriched``, to the profile's owner.

Stored as a notification inside the transaction that merges the enrichment into the
profile, so the owner is told once it commits (on /notifications; docs/notifications.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from server.db import Database, Transaction
from server.notifications.schemas import Notification
from server.notifications.service import NotificationService

PROFILE_ENRICHED = "profile.enriched"


class ProfileEnrichedPayload(msgspec.Struct, frozen=True):
    """profile.enriched: the enrichment worker merged what it read from a resume."""

    user_id: uuid.UUID
    enrichment_id: uuid.UUID | None
    resume_url: str | None
    skills_added: list[str]
    enriched_at: datetime


async def announce_enriched(
    db: Database, tx: Transaction, payload: ProfileEnrichedPayload
) -> Notification:
    """Tell the profile's owner (and nobody else) once ``tx`` commits."""
    [notification] = await NotificationService(db).notify(
        tx, [payload.user_id], PROFILE_ENRICHED, payload
    )
    return notification
