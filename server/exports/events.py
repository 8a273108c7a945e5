"""The live event of the data export: ``account.export_ready``, to the person who asked.

Stored as a notification in the transaction that marks the export ready (the build job's),
so it is emitted on /notifications once that commits (docs/notifications.md). The account
page's export section fetches the export again when it arrives.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

EXPORT_READY = "account.export_ready"


class ExportReady(msgspec.Struct, frozen=True):
    export_id: uuid.UUID
    size: int
    ready_at: datetime
    expires_at: datetime


def export_ready(row: asyncpg.Record) -> ExportReady:
    """The payload about a ready ``data_exports`` row."""
    return ExportReady(
        export_id=row["id"],
        size=row["size"],
        ready_at=row["ready_at"],
        expires_at=row["expires_at"],
    )
