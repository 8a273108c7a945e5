"""Fetching a resume for the worker: its URL names an upload, the upload names an object.

A resume URL is the permanent reference of a completed upload, ``PUBLIC_URL/api/files/<id>``
(docs/storage.md). The worker reads the object through the storage interface with a size
cap; a URL that names no completed resume upload of the profile's owner fails the
enrichment at once (it will never succeed), while a storage outage is retried.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from server.config import Settings
from server.db import Database
from server.enrichment.service import ResumeUnavailable
from server.storage import ObjectNotFound, ObjectTooLarge, Storage

_FILE_PATH = re.compile(r"/api/files/([0-9a-fA-F-]{36})/?\Z")


def upload_id_of(url: str, public_url: str) -> uuid.UUID | None:
    """The upload id of ``PUBLIC_URL/api/files/<id>`` (or of the bare path), else None."""
    path = url[len(public_url) :] if url.startswith(public_url + "/") else url
    match = _FILE_PATH.fullmatch(path) if path.startswith("/api/files/") else None
    if match is None:
        return None
    try:
        return uuid.UUID(match.group(1))
    except ValueError:
        return None


def storage_fetcher(
    db: Database, storage: Storage, settings: Settings
) -> Callable[[uuid.UUID, str], Awaitable[bytes]]:
    async def fetch(user_id: uuid.UUID, url: str) -> bytes:
        upload_id = upload_id_of(url, settings.public_url)
        if upload_id is None:
            raise ResumeUnavailable(
                "the resume is not a file uploaded to RizeOS "
                f"({settings.public_url}/api/files/<id>); upload it first"
            )
        async with db.connection() as conn:
            upload = await db.q.enrichment.get_resume_upload(conn, upload_id=upload_id)
        if upload is None or upload["owner_id"] != user_id:
            raise ResumeUnavailable("no such uploaded file for this user")
        if upload["status"] != "complete":
            raise ResumeUnavailable(f"the upload is {upload['status']}, not complete")
        try:
            return await storage.read(upload["object_key"], settings.resume_max_bytes)
        except ObjectNotFound:
            raise ResumeUnavailable("the uploaded file is gone from storage") from None
        except ObjectTooLarge:
            raise ResumeUnavailable(
                f"the file is larger than {settings.resume_max_bytes:,} bytes"
            ) from None

    return fetch
