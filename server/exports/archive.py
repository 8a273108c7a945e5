"""The ZIP of a person's data: one JSON file per kind of row, their uploaded files under
``files/``, and a README saying what is where (docs/privacy.md, "Your data export").

Written to a file on disk, row by row and file by file: rows come through server-side
cursors and stored files are streamed from the store into the archive, so neither a long
chat history nor a large video is ever held in memory whole. Every query runs in one
read-only REPEATABLE READ transaction, so the files agree with each other (an application
made while the export is built is in all of them or in none).
"""

from __future__ import annotations

import logging
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from server.db import Database
from server.storage import Storage

log = logging.getLogger("rizeos.exports")

# (file name, query in sql/exports, whether the person has at most one such row)
TABLES: tuple[tuple[str, str, bool], ...] = (
    ("account.json", "export_account", True),
    ("profile.json", "export_profile", True),
    ("memberships.json", "export_memberships", False),
    ("applications.json", "export_applications", False),
    ("saved_jobs.json", "export_saved_jobs", False),
    ("job_alerts.json", "export_job_alerts", False),
    ("gigs.json", "export_gigs", False),
    ("orders.json", "export_orders", False),
    ("order_deliveries.json", "export_order_deliveries", False),
    ("reviews.json", "export_reviews", False),
    ("messages.json", "export_messages", False),
    ("notifications.json", "export_notifications", False),
    ("sessions.json", "export_sessions", False),
    ("identities.json", "export_identities", False),
)
UPLOADS_FILE = "uploads.json"
FILES_DIR = "files"

README = """Your RizeOS data, as of {generated_at} (UTC).

Each .json file holds your rows of one kind (dates in ISO 8601, UTC):
  account.json          your account (email, roles; never your password or its hash)
  profile.json          your profile with its skills, experience, education and portfolio
  memberships.json      your memberships of companies and institutes
  applications.json     your job applications
  saved_jobs.json       the jobs you saved
  job_alerts.json       your job alerts
  gigs.json             your gigs
  orders.json           your orders, as buyer and as seller (see "role")
  order_deliveries.json the deliveries of those orders
  reviews.json          reviews you wrote and reviews of your gigs (see "role")
  messages.json         the messages you sent (not what others wrote to you)
  notifications.json    your notifications
  sessions.json         where and when you signed in (never the session tokens)
  identities.json       the identity providers linked to your account
  uploads.json          the files you uploaded; "export_path" is where each is in this ZIP

files/ holds the files you uploaded, by purpose, named <upload id>-<file name>.
"""

# Stored files are already compressed (PDF, DOCX, images, video): stored, not deflated.
JSON_COMPRESSION = zipfile.ZIP_DEFLATED


def _json(value: Any, indent: bytes = b"") -> bytes:
    text = msgspec.json.format(msgspec.json.encode(value), indent=2)
    # Newlines inside strings are escaped: each line here is a line of the document.
    return b"\n".join(indent + line for line in text.split(b"\n")) if indent else text


def _member(name: str, generated_at: datetime, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=generated_at.timetuple()[:6])
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def export_path(upload: dict[str, Any]) -> str:
    """Where an uploaded file goes in the ZIP. File names were checked when uploaded (a
    bare name, no separators or control characters); the id keeps two files of the same
    name apart."""
    return f"{FILES_DIR}/{upload['purpose']}/{upload['id']}-{upload['filename']}"


async def write_archive(
    db: Database, storage: Storage, user_id: uuid.UUID, path: Path, generated_at: datetime
) -> None:
    """Write ``user_id``'s export to ``path``."""
    q = db.q.exports
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        archive.writestr(
            _member("README.txt", generated_at, JSON_COMPRESSION),
            README.format(generated_at=generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        )
        async with (
            db.connection() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            for name, query, single in TABLES:
                cursor = getattr(q, f"{query}_cursor")
                member = _member(name, generated_at, JSON_COMPRESSION)
                with archive.open(member, "w") as out:
                    await _write_rows(cursor, conn, user_id, out.write, single)
            uploads = [dict(row) async for row in q.export_uploads(conn, user_id=user_id)]
        for upload in uploads:
            upload["export_path"] = await _copy_file(archive, storage, upload, generated_at)
            del upload["object_key"]  # where the store keeps it: of no use outside
        archive.writestr(_member(UPLOADS_FILE, generated_at, JSON_COMPRESSION), _json(uploads))


async def _write_rows(
    cursor: Callable[..., Any], conn: Any, user_id: uuid.UUID, write, single: bool
) -> None:
    """One JSON document: the row (or null) for ``single``, else an array of rows."""
    async with cursor(conn, user_id=user_id) as rows:
        if single:
            found = [dict(row) async for row in rows]
            write(_json(found[0] if found else None) + b"\n")
            return
        write(b"[")
        count = 0
        async for row in rows:
            write(b",\n" if count else b"\n")
            write(_json(dict(row), indent=b"  "))
            count += 1
        write(b"\n]\n" if count else b"]\n")


async def _copy_file(
    archive: zipfile.ZipFile, storage: Storage, upload: dict[str, Any], generated_at: datetime
) -> str | None:
    """Stream one stored file into the archive; None when the store no longer has it (the
    export still lists its row)."""
    if await storage.stat(upload["object_key"]) is None:
        log.warning("upload %s is not in storage; exported without its file", upload["id"])
        return None
    name = export_path(upload)
    with archive.open(_member(name, generated_at, zipfile.ZIP_STORED), "w") as out:
        await storage.read_into(upload["object_key"], out)
    return name
