"""The storage interface every backend implements, and the values it passes around.

Object keys are chosen by the server (``server/uploads``), never taken from a client:
``incoming/<purpose>/<32 hex>.<ext>`` while an upload is pending, and — on backends whose
upload grant could be replayed after completion — ``files/<purpose>/<32 hex>.<ext>`` once it
is sealed. What the server writes itself (``put_file``: a data export's ZIP,
``files/export/<32 hex>.zip``) has the same shape. ``KEY_PATTERN`` is the only shape a
backend accepts, so a key can never name a path outside the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

KEY_PATTERN = re.compile(r"\A(incoming|files)/[a-z_]{1,32}/[0-9a-f]{32}\.[a-z0-9]{1,5}\Z")


class StorageError(Exception):
    """The store failed or refused an operation."""


class ObjectNotFound(StorageError):
    """No object under that key."""


class ObjectTooLarge(StorageError):
    """The object is larger than the caller is willing to read."""


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a storage key the server issues: {key!r}")
    return key


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What the store knows about an object; checksums are None where it keeps none."""

    key: str
    size: int
    content_type: str | None
    sha256: str | None = None
    sha1: str | None = None
    # The store's id of this exact version (B2 file id); sealing copies this version.
    version_id: str | None = None


@dataclass(frozen=True, slots=True)
class UploadGrant:
    """What a browser needs to send one object straight to the store."""

    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime


# The ``origin`` of a URL a backend served by this app hands out: a page's origin
# ("http://127.0.0.1:8080") puts the URL there, None puts it on PUBLIC_URL, and SAME_HOST
# makes it a path on whichever host the browser is on (for a redirect).
SAME_HOST = ""


@runtime_checkable
class Storage(Protocol):
    """One object store. Every method is safe to call from any process (web or worker)."""

    name: str

    async def upload_grant(
        self,
        key: str,
        *,
        content_type: str,
        size: int,
        expires_in: int,
        sha256: str | None = None,
        origin: str | None = None,
    ) -> UploadGrant:
        """A URL allowing exactly one PUT of ``size`` bytes of ``content_type`` to ``key``,
        valid for ``expires_in`` seconds (≤ 900). ``origin`` is where the uploading page was
        served from (``http://127.0.0.1:8080``, see SAME_HOST): a backend served by this app
        (the local store) puts its URL there, so the PUT stays same-origin on whichever host
        the server answered; a backend elsewhere (B2) ignores it."""
        ...

    async def stat(self, key: str) -> ObjectInfo | None:
        """The object's size, type and checksums, or None when there is none."""
        ...

    async def read(self, key: str, max_bytes: int) -> bytes:
        """The whole object; ObjectNotFound, or ObjectTooLarge past ``max_bytes``."""
        ...

    async def read_into(self, key: str, out: BinaryIO) -> int:
        """Stream the object into ``out`` (a file object written in a worker thread, never
        the whole object in memory); the number of bytes written, or ObjectNotFound."""
        ...

    async def put_file(self, key: str, path: Path, *, content_type: str) -> ObjectInfo:
        """Store the local file at ``path`` under ``key``, streamed from disk. Written by
        the server itself (no grant): a key is written once, StorageError if it is taken."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object (every version); no error when it does not exist."""
        ...

    async def seal(self, key: str, info: ObjectInfo) -> str:
        """Make the verified object permanent and return the key it is served from: a
        backend whose grant could be replayed until it expires copies that exact version
        to a key no grant ever named; one that refuses overwrites keeps it in place."""
        ...

    async def download_url(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str,
        content_type: str,
        origin: str | None = None,
    ) -> str:
        """A URL that lets whoever holds it read the object for ``expires_in`` seconds
        (``origin`` as for ``upload_grant``)."""
        ...

    async def close(self) -> None: ...
