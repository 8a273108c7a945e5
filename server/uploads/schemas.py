"""Request and response bodies for uploads and files."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.paging import DEFAULT_LIMIT, Limit
from server.uploads.purposes import PurposeName

UploadStatus = Literal["pending", "complete", "failed", "expired"]
# Length and NUL are checked here; path separators, control characters and the extension
# are checked by the service so each gets its own message.
Filename = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
ContentType = Annotated[str, msgspec.Meta(min_length=1, max_length=127)]
Sha256 = Annotated[
    str, msgspec.Meta(pattern=r"\A[0-9a-f]{64}\Z", description="hex SHA-256 of the bytes")
]


class UploadRequest(msgspec.Struct, forbid_unknown_fields=True):
    purpose: PurposeName
    filename: Filename
    content_type: ContentType
    size: Annotated[int, msgspec.Meta(ge=1, description="exact size in bytes")]
    sha256: Sha256 | None = None


class Upload(msgspec.Struct):
    id: uuid.UUID
    purpose: PurposeName
    filename: str
    content_type: str
    size: int
    sha256: str | None
    status: UploadStatus
    url: str | None
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime


class UploadInstructions(msgspec.Struct):
    """Send the file's bytes as the body of `method url` with exactly these `headers`,
    before `expires_at`; then confirm with POST /api/uploads/{id}/complete."""

    method: Literal["PUT"]
    url: str
    headers: dict[str, str]
    expires_at: datetime


class UploadGrant(msgspec.Struct):
    upload: Upload
    upload_request: UploadInstructions


class UploadListQuery(msgspec.Struct, forbid_unknown_fields=True):
    purpose: PurposeName | None = None
    status: UploadStatus | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class UploadPage(msgspec.Struct):
    items: list[Upload]
    next: str | None
