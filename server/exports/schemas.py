"""Response bodies of the data export (docs/privacy.md, "Your data export")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec

# "none": the person never asked for one. "expired": its ZIP was deleted (EXPORT_TTL_HOURS
# after it was ready). "failed": the build gave up; ask again.
ExportState = Literal["none", "queued", "building", "ready", "failed", "expired"]


class Export(msgspec.Struct):
    """Your latest data export and where it stands."""

    status: ExportState
    id: uuid.UUID | None = None
    created_at: datetime | None = None
    ready_at: datetime | None = None
    # When the ZIP is deleted (ready), or was (expired).
    expires_at: datetime | None = None
    size: int | None = None  # bytes of the ZIP, once ready
    # Where to download it from (GET /api/me/export), while it is ready.
    download_url: str | None = None
