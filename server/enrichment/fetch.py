"""Fetching a resume for the worker: its URL names an upload, the upload names an object.

A resume URL is the permanent reference of a completed upload, ``PUBLIC_URL/api/files/<id>``
(docs/storage.md). The worker reads the object through the storage interface with a size
cap; a URL that names no completed resume upload of the profile's owner fails the
enrichment at once (it will never succeed), while a storage outage is retried.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from server.config import Settings
from server.db import Database
from server.storage import ObjectNotFound, ObjectTooLarge, Storage
from server.uploads.refs import FileRef, upload_id_in, upload_problem


class ResumeUnavailable(Exception):
    """The resume cannot be fetched and never will be (no such file, not the user's, too
    large): the enrichment fails at once instead of being retried."""


def storage_fetcher(
    db: Database, storage: Storage, settings: Settings
) -> Callable[[uuid.UUID, str], Awaitable[bytes]]:
    async def fetch(user_id: uuid.UUID, url: str) -> bytes:
        upload_id = upload_id_in(url)
        if upload_id is None:
            raise ResumeUnavailable(
                "the resume is not a file uploaded to RizeOS "
                f"({settings.public_url}/api/files/<id>); upload it first"
            )
        async with db.connection() as conn:
            upload = await db.q.uploads.get_upload(conn, upload_id=upload_id)
        problem = upload_problem(upload, user_id, FileRef("resume_url", url, "resume"))
        if problem is not None:
            raise ResumeUnavailable(problem)
        try:
            return await storage.read(upload["object_key"], settings.resume_max_bytes)
        except ObjectNotFound:
            raise ResumeUnavailable("the uploaded file is gone from storage") from None
        except ObjectTooLarge:
            raise ResumeUnavailable(
                f"the file is larger than {settings.resume_max_bytes:,} bytes"
            ) from None

    return fetch
