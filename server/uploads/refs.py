"""Binding other domains' file fields to completed uploads.

Profiles (resume_url, portfolio image_url/video_url), jobs (attachments[].url), gigs
(media_gallery[].url) and organizations (logo_url) store a file's permanent reference,
``PUBLIC_URL/api/files/<upload id>``. A write may only name a completed upload that the
caller owns and that was uploaded for that field's purpose (and, where the field says what
kind of file it is, of that kind); anything else is 422 on that field. Values already stored
on the same record (``keep``) stay acceptable, so a co-editor (another recruiter of the
company) can resend a job's attachments uploaded by a colleague.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from server.db import Database, fetch_all
from server.errors import FieldError, Invalid
from server.uploads.purposes import kind_of

# The id is read from the path; the whole URL must then equal the upload's stored `url`
# (PUBLIC_URL/api/files/<id>), so another origin or spelling is refused.
_REFERENCE = re.compile(r"\Ahttps?://[^/?#]+(?:/[^?#]*)?/api/files/([0-9a-f-]{36})\Z")


def upload_id_in(url: str) -> uuid.UUID | None:
    match = _REFERENCE.match(url)
    if match is None:
        return None
    try:
        return uuid.UUID(match.group(1))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FileRef:
    field: str  # as reported in the 422: "body.attachments[0].url"
    url: str
    purpose: str
    kinds: tuple[str, ...] = ()  # the kinds of file (kind_of) the field accepts; () = any


HOW = "upload the file first (POST /api/uploads/generate-url, then .../complete) and send its url"


async def require_uploads(
    db: Database,
    conn,
    owner_id: uuid.UUID,
    refs: Iterable[FileRef],
    keep: Collection[str] = (),
) -> None:
    """422 naming every field whose value is not a usable upload of the caller's."""
    errors: list[FieldError] = []
    wanted: list[tuple[FileRef, uuid.UUID]] = []
    for ref in refs:
        if ref.url in keep:
            continue
        upload_id = upload_id_in(ref.url)
        if upload_id is None:
            errors.append(FieldError(field=ref.field, message=f"not a file reference: {HOW}"))
        else:
            wanted.append((ref, upload_id))
    if wanted:
        rows = await fetch_all(
            db.q.uploads.get_uploads_by_ids,
            conn,
            upload_ids=list({upload_id for _, upload_id in wanted}),
        )
        found = {row["id"]: row for row in rows}
        for ref, upload_id in wanted:
            message = upload_problem(found.get(upload_id), owner_id, ref)
            if message:
                errors.append(FieldError(field=ref.field, message=message))
    if errors:
        raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)


def upload_problem(row, owner_id: uuid.UUID, ref: FileRef) -> str | None:
    """Why ``row`` (an uploads row, or None) cannot be used for ``ref``; None when it can."""
    if row is None or row["owner_id"] != owner_id or (row["url"] and row["url"] != ref.url):
        return f"no upload of yours has this url: {HOW}"
    if row["status"] != "complete":
        return "the upload is not complete: call POST /api/uploads/{id}/complete first"
    if row["purpose"] != ref.purpose:
        return f"this file was uploaded as {row['purpose']}; upload it as {ref.purpose}"
    kind = kind_of(row["content_type"])
    if ref.kinds and kind not in ref.kinds:
        return f"this is a {kind} file ({row['content_type']}), not {' or '.join(ref.kinds)}"
    return None
