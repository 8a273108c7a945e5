"""The Backblaze B2 backend: b2sdk for everything native, an S3 presigned PUT for uploads.

Why two APIs (docs/storage.md has the full reasoning): the browser must be able to write
exactly one object, for at most 15 minutes. B2's native ``b2_get_upload_url`` hands out a
token that is valid for 24 hours and for any file name in the bucket, so giving it to a
browser would let it write anything anywhere in the bucket for a day. B2's S3-compatible
API accepts SigV4 presigned PUT URLs, which are bound to one key (and here also to one
content type and one size) and expire when we say. Everything else — checking what arrived,
deleting, private downloads (``get_download_authorization`` on the object's exact name),
bucket CORS and lifecycle rules — goes through b2sdk.

b2sdk is synchronous; each call runs in a thread so the event loop never blocks.

A presigned PUT can be replayed until it expires, and S3 PUTs overwrite. So completion
copies the exact version that was verified (by file id) to a ``files/...`` key that no
grant ever named, and deletes everything under the ``incoming/...`` key; anything a replay
leaves under ``incoming/`` later is removed by the bucket's lifecycle rule.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from b2sdk.v2 import B2Api, Bucket, InMemoryAccountInfo
from b2sdk.v2.exception import B2Error, FileNotPresent

from server.config import Settings
from server.storage.base import (
    ObjectInfo,
    ObjectNotFound,
    ObjectTooLarge,
    StorageError,
    UploadGrant,
    check_key,
)
from server.storage.sigv4 import S3Presigner

MAX_GRANT_SECONDS = 900


def cors_rules(origins: tuple[str, ...]) -> list[dict[str, Any]]:
    """The only cross-origin calls a browser needs: the presigned PUT (S3 API) and reading a
    file by name with a download authorization. No b2_upload_file, no deletes, no POSTs."""
    return [
        {
            "corsRuleName": "rizeosBrowserUploads",
            "allowedOrigins": list(origins),
            "allowedOperations": ["s3_put"],
            "allowedHeaders": ["content-type"],
            "exposeHeaders": ["etag"],
            "maxAgeSeconds": 3600,
        },
        {
            "corsRuleName": "rizeosBrowserDownloads",
            "allowedOrigins": list(origins),
            "allowedOperations": ["b2_download_file_by_name"],
            "allowedHeaders": ["range"],
            "exposeHeaders": ["content-length", "content-type"],
            "maxAgeSeconds": 3600,
        },
    ]


# Objects under incoming/ are transient: completion copies them to files/. Whatever is
# left there (a grant replayed after completion, an upload nobody completed that the sweep
# could not delete) is hidden after a day and deleted a day later.
LIFECYCLE_RULES = [
    {"fileNamePrefix": "incoming/", "daysFromUploadingToHiding": 1, "daysFromHidingToDeleting": 1}
]


def final_key(key: str) -> str:
    return "files/" + key.removeprefix("incoming/")


def _sha1(value: str | None) -> str | None:
    if not value or value == "none":
        return None
    return value.removeprefix("unverified:")


def _info(key: str, version) -> ObjectInfo:
    """What a stored file version says of itself."""
    return ObjectInfo(
        key=key,
        size=version.size,
        content_type=version.content_type,
        sha1=_sha1(version.content_sha1),
        version_id=version.id_,
    )


class B2Storage:
    name = "b2"

    def __init__(
        self,
        api: B2Api,
        bucket_name: str,
        presigner: S3Presigner,
        credentials: tuple[str, str] | None = None,
        realm: str = "production",
    ):
        self.api = api
        self.bucket_name = bucket_name
        self.presigner = presigner
        self._credentials = credentials
        self._realm = realm
        self._bucket: Bucket | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> B2Storage:
        assert settings.b2_key_id and settings.b2_application_key and settings.b2_bucket
        assert settings.b2_s3_endpoint and settings.b2_region
        presigner = S3Presigner(
            endpoint=settings.b2_s3_endpoint,
            region=settings.b2_region,
            access_key_id=settings.b2_key_id,
            secret_access_key=settings.b2_application_key,
        )
        return cls(
            B2Api(InMemoryAccountInfo()),
            settings.b2_bucket,
            presigner,
            credentials=(settings.b2_key_id, settings.b2_application_key),
        )

    async def bucket(self) -> Bucket:
        """The bucket, authorizing the account on first use (b2sdk re-authorizes itself
        when its token expires)."""
        if self._bucket is None:
            async with self._lock:
                if self._bucket is None:
                    self._bucket = await self._call(self._open_bucket)
        return self._bucket

    def _open_bucket(self) -> Bucket:
        if self._credentials is not None:
            self.api.authorize_account(self._realm, *self._credentials)
        return self.api.get_bucket_by_name(self.bucket_name)

    @staticmethod
    async def _call(fn, *args, **kwargs):
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except FileNotPresent:
            raise
        except B2Error as exc:
            raise StorageError(f"B2: {exc}") from exc

    # -- the Storage interface ----------------------------------------------------------

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
        check_key(key)
        if not 1 <= expires_in <= MAX_GRANT_SECONDS:
            raise ValueError("an upload grant expires within 15 minutes")
        now = datetime.now(UTC).replace(microsecond=0)
        url = self.presigner.presign_put(
            self.bucket_name,
            key,
            content_type=content_type,
            content_length=size,
            expires_in=expires_in,
            now=now,
        )
        return UploadGrant(
            url=url,
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=now + timedelta(seconds=expires_in),
        )

    async def stat(self, key: str) -> ObjectInfo | None:
        check_key(key)
        bucket = await self.bucket()
        try:
            version = await self._call(bucket.get_file_info_by_name, key)
        except FileNotPresent:
            return None
        return _info(key, version)

    async def read(self, key: str, max_bytes: int) -> bytes:
        info = await self.stat(key)
        if info is None:
            raise ObjectNotFound(key)
        if info.size > max_bytes:
            raise ObjectTooLarge(f"{key} is {info.size} bytes, more than {max_bytes}")
        bucket = await self.bucket()

        def download() -> bytes:
            downloaded = bucket.download_file_by_name(key)
            if downloaded.download_version.size > max_bytes:  # replaced since the stat
                raise ObjectTooLarge(f"{key} is larger than {max_bytes} bytes")
            buffer = io.BytesIO()
            downloaded.save(buffer)
            return buffer.getvalue()

        return await self._call(download)

    async def read_into(self, key: str, out: BinaryIO) -> int:
        check_key(key)
        bucket = await self.bucket()

        def download() -> int:
            downloaded = bucket.download_file_by_name(key)
            # Not seekable (a ZIP member being written): b2sdk then streams it in order.
            downloaded.save(out, allow_seeking=False)
            return downloaded.download_version.size

        try:
            return await self._call(download)
        except FileNotPresent:
            raise ObjectNotFound(key) from None

    async def put_file(self, key: str, path: Path, *, content_type: str) -> ObjectInfo:
        check_key(key)
        if await self.stat(key) is not None:
            raise StorageError(f"an object was already stored under {key}")
        bucket = await self.bucket()
        version = await self._call(
            bucket.upload_local_file,
            local_file=str(path),
            file_name=key,
            content_type=content_type,
        )
        return _info(key, version)

    async def delete(self, key: str) -> None:
        check_key(key)
        bucket = await self.bucket()

        def delete_versions() -> None:
            for version in list(bucket.list_file_versions(key)):
                if version.file_name == key:
                    bucket.delete_file_version(version.id_, key)

        await self._call(delete_versions)

    async def seal(self, key: str, info: ObjectInfo) -> str:
        assert info.version_id is not None
        bucket = await self.bucket()
        target = final_key(check_key(key))
        await self._call(bucket.copy, info.version_id, target)
        return target

    async def download_url(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str,
        content_type: str,
        origin: str | None = None,
    ) -> str:
        check_key(key)
        bucket = await self.bucket()
        # Authorization for this one name: keys end in a random id and an extension, so no
        # other object's name starts with it.
        token = await self._call(bucket.get_download_authorization, key, expires_in)
        url = self.api.get_download_url_for_file_name(self.bucket_name, key)
        return f"{url}?Authorization={quote(token, safe='')}"

    async def close(self) -> None:
        return None

    # -- operator set-up (python -m server storage-setup) ---------------------------------

    async def apply_bucket_rules(self, origins: tuple[str, ...]) -> dict[str, Any]:
        """Make the bucket private, allow browser uploads from ``origins`` only, and expire
        leftovers under incoming/. Returns what was applied."""
        bucket = await self.bucket()
        rules = cors_rules(origins)
        await self._call(
            bucket.update,
            bucket_type="allPrivate",
            cors_rules=rules,
            lifecycle_rules=LIFECYCLE_RULES,
        )
        return {
            "bucket_type": "allPrivate",
            "cors_rules": rules,
            "lifecycle_rules": LIFECYCLE_RULES,
        }
