"""Uploads: issuing grants, confirming what arrived, serving files to who may read them,
and sweeping abandoned uploads. The bytes never pass through here (except through the local
backend's own routes); only the store and this table know about them."""

from __future__ import annotations

import logging
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from server.config import Settings
from server.db import Database, fetch_all
from server.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, RateLimited
from server.metrics.families import UNCOUNTED, Metrics
from server.orgs.access import HIRE
from server.paging import decode_cursor, keyset_page
from server.storage import Storage, StorageError
from server.uploads import schemas
from server.uploads.purposes import EXTENSIONS, PURPOSES

log = logging.getLogger("rizeos.uploads")

FILES_PATH = "/api/files/"
# Open grants per user: enough for a form with many attachments, not enough to fill a disk
# with abandoned multi-megabyte uploads.
MAX_PENDING_PER_USER = 20


def to_upload(row: Any) -> schemas.Upload:
    data = {name: row[name] for name in schemas.Upload.__struct_fields__}
    return msgspec.convert(data, schemas.Upload)


def filename_errors(filename: str, content_type: str) -> list[FieldError]:
    """A bare file name (no path, no control characters) whose extension fits the type."""
    problems = []
    if any(sep in filename for sep in "/\\"):
        problems.append("must be a file name, not a path")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in filename):
        problems.append("must not contain control characters (NUL, newlines, ...)")
    if filename.rsplit(".", 1)[0].strip(" .") == "":
        problems.append("must have a name before its extension")
    allowed = EXTENSIONS.get(content_type)
    if allowed and not filename.lower().endswith(allowed):
        problems.append(f"must end in {' or '.join(allowed)} for {content_type}")
    return [FieldError(field="body.filename", message=m) for m in problems]


def validate_request(body: schemas.UploadRequest) -> None:
    """Everything about a grant request is checked before any grant exists."""
    purpose = PURPOSES[body.purpose]
    errors: list[FieldError] = []
    limit = purpose.limits.get(body.content_type)
    if limit is None:
        allowed = ", ".join(sorted(purpose.limits))
        errors.append(
            FieldError(
                field="body.content_type",
                message=f"a {body.purpose} upload must be one of: {allowed}",
            )
        )
    elif body.size > limit:
        errors.append(
            FieldError(
                field="body.size",
                message=f"a {body.purpose} {body.content_type} file may be at most {limit} bytes",
            )
        )
    errors += filename_errors(body.filename, body.content_type)
    if errors:
        raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)


def file_url(settings: Settings, upload_id: uuid.UUID) -> str:
    return f"{settings.public_url}{FILES_PATH}{upload_id}"


class UploadService:
    def __init__(
        self, db: Database, storage: Storage, settings: Settings, metrics: Metrics = UNCOUNTED
    ):
        self.db = db
        self.storage = storage
        self.settings = settings
        self.metrics = metrics  # grants and completions (/metrics)

    async def grant(
        self,
        owner_id: uuid.UUID,
        body: schemas.UploadRequest,
        *,
        origin: str | None = None,
        page_origin: str | None = None,
    ) -> schemas.UploadGrant:
        """``origin``: the scheme and host the request reached, where the local store's
        upload URL is built (same-origin for the page, whichever host it was served from).
        ``page_origin``: the browser's Origin header, if any; a bucket elsewhere accepts
        uploads only from the origins its CORS rules name, so any other is refused here
        with what to change, instead of failing in the browser as "interrupted"."""
        validate_request(body)
        self.check_upload_origin(page_origin)
        upload_id = uuid.uuid4()
        extension = EXTENSIONS[body.content_type][0]
        key = f"incoming/{body.purpose}/{upload_id.hex}{extension}"
        grant = await self.storage.upload_grant(
            key,
            content_type=body.content_type,
            size=body.size,
            expires_in=self.settings.upload_grant_ttl_seconds,
            sha256=body.sha256,
            origin=origin,
        )
        expires_at = grant.expires_at + timedelta(
            seconds=self.settings.upload_complete_grace_seconds
        )
        async with self.db.connection() as conn:
            pending = await self.db.q.uploads.count_pending_uploads(conn, owner_id=owner_id)
            if pending >= MAX_PENDING_PER_USER:
                raise RateLimited(
                    f"you have {pending} uploads in progress; complete them or wait for them "
                    "to expire before asking for more"
                )
            row = await self.db.q.uploads.insert_upload(
                conn,
                id=upload_id,
                owner_id=owner_id,
                purpose=body.purpose,
                object_key=key,
                filename=body.filename,
                content_type=body.content_type,
                size=body.size,
                sha256=body.sha256,
                expires_at=expires_at,
            )
        self.metrics.upload_grants.labels(body.purpose).inc()
        return schemas.UploadGrant(
            upload=to_upload(row),
            upload_request=schemas.UploadInstructions(
                method="PUT", url=grant.url, headers=grant.headers, expires_at=grant.expires_at
            ),
        )

    def check_upload_origin(self, page_origin: str | None) -> None:
        allowed = self.settings.cors_origins
        if self.storage.name == "local" or page_origin is None or page_origin in allowed:
            return
        raise Forbidden(
            f"uploads from {page_origin} are refused by the storage bucket, which accepts "
            f"them from {', '.join(allowed)} only: open RizeOS at {allowed[0]}, or add "
            f"{page_origin} to UPLOAD_CORS_ORIGINS (or set PUBLIC_URL={page_origin}) and run "
            "`python -m server storage-setup`"
        )

    async def complete(self, caller_id: uuid.UUID, upload_id: uuid.UUID) -> schemas.Upload:
        """Check the stored object against the declaration; a mismatch deletes it (422)."""
        q = self.db.q.uploads
        mismatch: list[FieldError] = []
        async with self.db.transaction() as tx:
            row = await q.lock_upload(tx.conn, upload_id=upload_id)
            if row is None or row["owner_id"] != caller_id:
                raise NotFound("no such upload")
            if row["status"] == "complete":
                return to_upload(row)
            if row["status"] == "failed":
                raise Conflict("this upload failed verification; request a new upload URL")
            if row["status"] == "expired" or row["expires_at"] < datetime.now(UTC):
                raise Conflict("this upload expired; request a new upload URL")
            info = await self.storage.stat(row["object_key"])
            if info is None:
                raise Conflict("nothing has been uploaded yet: PUT the file to the upload URL")
            if info.size != row["size"]:
                mismatch.append(
                    FieldError(
                        field="size",
                        message=f"{info.size} bytes arrived, {row['size']} were declared",
                    )
                )
            if info.content_type != row["content_type"]:
                mismatch.append(
                    FieldError(
                        field="content_type",
                        message=f"stored as {info.content_type}, declared {row['content_type']}",
                    )
                )
            if row["sha256"] and info.sha256 and info.sha256 != row["sha256"].strip():
                mismatch.append(FieldError(field="sha256", message="the checksum does not match"))
            if mismatch:
                await self.storage.delete(row["object_key"])
                await q.fail_upload(tx.conn, upload_id=upload_id)
            else:
                key = await self.storage.seal(row["object_key"], info)
                if key != row["object_key"]:
                    await self.storage.delete(row["object_key"])
                row = await q.complete_upload(
                    tx.conn,
                    upload_id=upload_id,
                    object_key=key,
                    sha256=info.sha256,
                    url=file_url(self.settings, upload_id),
                )
        outcome = "failed" if mismatch else "complete"
        self.metrics.upload_completions.labels(row["purpose"], outcome).inc()
        if mismatch:
            raise Invalid(
                "the uploaded file does not match what was declared; it was deleted: "
                + "; ".join(f"{e.field}: {e.message}" for e in mismatch),
                mismatch,
            )
        return to_upload(row)

    async def list_own(
        self, owner_id: uuid.UUID, query: schemas.UploadListQuery
    ) -> schemas.UploadPage:
        after = decode_cursor(query.cursor, (datetime, uuid.UUID))
        after_created_at, after_id = after if after else (None, None)
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.db.q.uploads.list_uploads_for_owner,
                conn,
                owner_id=owner_id,
                purpose=query.purpose,
                status=query.status,
                after_created_at=after_created_at,
                after_id=after_id,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["created_at"], r["id"]))
        return schemas.UploadPage(items=[to_upload(r) for r in page], next=next_cursor)

    async def download_url(
        self, viewer_id: uuid.UUID | None, upload_id: uuid.UUID, *, origin: str | None = None
    ) -> str:
        """A short-lived URL for a completed file the viewer may read; 404 otherwise (the
        same answer as for an id that does not exist). ``origin`` as for ``grant``; SAME_HOST
        (a redirect) keeps the local store's URL on whichever host the reference was opened
        on."""
        async with self.db.connection() as conn:
            row = await self.db.q.uploads.get_upload(conn, upload_id=upload_id)
            if row is None or row["status"] != "complete":
                raise NotFound("no such file")
            if not await self._may_read(conn, viewer_id, row):
                raise NotFound("no such file")
        return await self.storage.download_url(
            row["object_key"],
            expires_in=self.settings.download_url_ttl_seconds,
            filename=row["filename"],
            content_type=row["content_type"],
            origin=origin,
        )

    async def _may_read(self, conn, viewer_id: uuid.UUID | None, row) -> bool:
        if PURPOSES[row["purpose"]].public or viewer_id == row["owner_id"]:
            return True
        if viewer_id is None:
            return False
        if row["purpose"] == "resume":
            # A company reads the resumes submitted to it by applications not withdrawn,
            # and, while it has one, the resume on the profile now, which the profile shows
            # it (docs/authorization.md); no other resume of the candidate.
            return await self.db.q.profiles.resume_file_visible_to(
                conn,
                url=row["url"],
                candidate_id=row["owner_id"],
                viewer_id=viewer_id,
                hiring_roles=sorted(HIRE),
            )
        if row["purpose"] == "message_attachment":
            return await self.db.q.uploads.message_attachment_visible_to(
                conn, url=row["url"], viewer_id=viewer_id
            )
        if row["purpose"] == "order_file":
            return await self.db.q.uploads.order_file_visible_to(
                conn, url=row["url"], viewer_id=viewer_id
            )
        return False

    async def sweep(self, limit: int = 100) -> int:
        """Expire pending uploads past their expiry and delete whatever reached the store.
        Returns how many were expired; an object the store fails to delete keeps its row
        pending, so the next sweep tries again."""
        q = self.db.q.uploads
        async with self.db.transaction() as tx:
            rows = await fetch_all(q.claim_abandoned_uploads, tx.conn, limit=limit)
            expired = []
            for row in rows:
                try:
                    await self.storage.delete(row["object_key"])
                except StorageError:
                    log.warning("could not delete abandoned upload %s; will retry", row["id"])
                    continue
                expired.append(row["id"])
            if expired:
                await q.expire_uploads(tx.conn, upload_ids=expired)
        if expired:
            log.info("expired %d abandoned upload(s)", len(expired))
        return len(expired)
