"""The embedded store: files under ``DATA_DIR/uploads``, written and read through our own
aiohttp app (``server/storage/routes.py``) with HMAC-signed, expiring URLs.

It keeps the promises the B2 backend keeps, so the whole upload flow runs on a machine with
nothing configured: a grant names one key, one content type and one size, and expires; the
signature covers all of them, so changing any of them (or the method) is refused. An object
is never overwritten: the first complete upload claims its key for good (a ``.meta``
sidecar created with O_EXCL), and deleting it leaves that claim behind as a tombstone, so a
grant replayed before it expires cannot put anything there again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from server.config import Settings
from server.storage.base import (
    SAME_HOST,
    ObjectInfo,
    ObjectNotFound,
    ObjectTooLarge,
    StorageError,
    UploadGrant,
    check_key,
)

ROUTE_PREFIX = "/storage/local"
CHUNK = 256 * 1024


class GrantRefused(StorageError):
    """A signed request the store refuses; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _signing_key(secret_key: str) -> bytes:
    # Derived, so a leaked upload signature says nothing about the session/CSRF secret.
    return hmac.new(secret_key.encode(), b"rizeos local storage v1", hashlib.sha256).digest()


class LocalStorage:
    name = "local"

    def __init__(self, root: Path, secret_key: str, base_url: str):
        self.root = root
        self._key = _signing_key(secret_key)
        self.base_url = base_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalStorage:
        return cls(
            settings.data_dir / "uploads", settings.secret_key, settings.public_url + ROUTE_PREFIX
        )

    # -- signing ----------------------------------------------------------------------

    def _signature(self, method: str, key: str, params: dict[str, str]) -> str:
        canonical = "\n".join([method, key, *(f"{k}={params[k]}" for k in sorted(params))])
        return hmac.new(self._key, canonical.encode(), hashlib.sha256).hexdigest()

    def _signed_url(
        self, method: str, key: str, params: dict[str, str], origin: str | None = None
    ) -> str:
        """The signature covers the key and the parameters, not the host: the same URL
        works on every host this app answers on, so it is built on the page's ``origin``
        when there is one, as a path for SAME_HOST, on PUBLIC_URL otherwise (a worker, a
        script)."""
        query = urlencode(
            {**params, "signature": self._signature(method, key, params)}, quote_via=quote
        )
        if origin is None:
            base = self.base_url
        elif origin == SAME_HOST:
            base = ROUTE_PREFIX
        else:
            base = f"{origin}{ROUTE_PREFIX}"
        return f"{base}/{quote(key)}?{query}"

    def verify(self, method: str, key: str, query: dict[str, str]) -> dict[str, str]:
        """The signed parameters of a request, or GrantRefused (403 for a bad signature or
        an expired URL)."""
        params = dict(query)
        signature = params.pop("signature", "")
        expected = self._signature(method, key, params)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise GrantRefused(403, "the signature does not match this URL")
        try:
            expires = int(params["expires"])
        except (KeyError, ValueError):
            raise GrantRefused(403, "the URL has no expiry") from None
        if expires < time.time():
            raise GrantRefused(403, "the URL has expired; ask for a new one")
        return params

    # -- paths ------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(path.name + ".meta")

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
        expires = int(time.time()) + expires_in
        params = {"expires": str(expires), "type": content_type, "size": str(size)}
        if sha256:
            params["sha256"] = sha256
        return UploadGrant(
            url=self._signed_url("PUT", key, params, origin),
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    async def stat(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        return await asyncio.to_thread(self._stat, key, path)

    def _stat(self, key: str, path: Path) -> ObjectInfo | None:
        try:
            meta = json.loads(self._meta_path(path).read_text())
            size = path.stat().st_size
        except (FileNotFoundError, ValueError):
            return None
        if meta.get("deleted"):
            return None
        return ObjectInfo(
            key=key, size=size, content_type=meta.get("content_type"), sha256=meta.get("sha256")
        )

    async def read(self, key: str, max_bytes: int) -> bytes:
        info = await self.stat(key)
        if info is None:
            raise ObjectNotFound(key)
        if info.size > max_bytes:
            raise ObjectTooLarge(f"{key} is {info.size} bytes, more than {max_bytes}")
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def read_into(self, key: str, out: BinaryIO) -> int:
        path = self._path(key)
        if await self.stat(key) is None:
            raise ObjectNotFound(key)
        return await asyncio.to_thread(self._copy_out, key, path, out)

    @staticmethod
    def _copy_out(key: str, path: Path, out: BinaryIO) -> int:
        written = 0
        try:
            with open(path, "rb") as source:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        return written

    async def put_file(self, key: str, path: Path, *, content_type: str) -> ObjectInfo:
        return await asyncio.to_thread(self._put_file, key, self._path(key), path, content_type)

    def _put_file(self, key: str, target: Path, source: Path, content_type: str) -> ObjectInfo:
        """Copied beside its place, then claimed as an upload is (``_claim``): the key is
        written once, and a half-copied file is never seen under it."""
        if self._meta_path(target).exists():
            raise StorageError(f"an object was already stored under {key}")
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".part-{secrets.token_hex(8)}")
        digest = hashlib.sha256()
        size = 0
        try:
            with open(source, "rb") as src, open(part, "wb") as out:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            try:
                self._claim(target, part, content_type, digest.hexdigest())
            except GrantRefused:
                raise StorageError(f"an object was already stored under {key}") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
        return ObjectInfo(key=key, size=size, content_type=content_type, sha256=digest.hexdigest())

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, self._path(key))

    def _delete(self, path: Path) -> None:
        meta = self._meta_path(path)
        if meta.exists():
            # A tombstone, not a removal: the key stays claimed (see the module docstring).
            meta.write_text(json.dumps({"deleted": True}))
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    async def seal(self, key: str, info: ObjectInfo) -> str:
        return key  # nothing can overwrite it, so it is served from where it was written

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
        params = {
            "expires": str(int(time.time()) + expires_in),
            "filename": filename,
            "type": content_type,
        }
        return self._signed_url("GET", key, params, origin)

    async def close(self) -> None:
        return None

    # -- serving (used by server/storage/routes.py) ----------------------------------------

    def file_path(self, key: str) -> Path | None:
        """Where a stored object is on disk, for this app to serve it itself (a data
        export's download); None when there is none."""
        path = self._path(key)
        return path if self._stat(key, path) is not None else None

    def open_for_download(self, key: str, query: dict[str, str]) -> tuple[Path, dict[str, str]]:
        params = self.verify("GET", key, query)
        path = self._path(key)
        if self._stat(key, path) is None:
            raise GrantRefused(404, "no such object")
        return path, params

    async def receive(
        self,
        key: str,
        query: dict[str, str],
        content_type: str | None,
        content_length: int | None,
        body: AsyncIterator[bytes],
    ) -> ObjectInfo:
        """Store one upload: check it against its grant, stream it to disk (never more than
        the granted size), hash it, and claim the key only once it is all there."""
        params = self.verify("PUT", key, query)
        size = int(params["size"])
        if content_type != params["type"]:
            raise GrantRefused(400, f"Content-Type must be {params['type']}, as granted")
        if content_length is None:
            raise GrantRefused(411, "send Content-Length (the granted size)")
        if content_length != size:
            raise GrantRefused(400, f"Content-Length must be {size} bytes, as granted")
        path = self._path(key)
        if self._meta_path(path).exists():
            raise GrantRefused(409, "an object was already uploaded with this URL")
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        part = path.with_name(f".part-{secrets.token_hex(8)}")
        digest = hashlib.sha256()
        received = 0
        try:
            with open(part, "wb") as out:  # noqa: ASYNC230 - chunks are written in a thread
                async for chunk in body:
                    received += len(chunk)
                    if received > size:
                        raise GrantRefused(413, f"more than the granted {size} bytes")
                    digest.update(chunk)
                    await asyncio.to_thread(out.write, chunk)
                await asyncio.to_thread(os.fsync, out.fileno())
            if received != size:
                raise GrantRefused(400, f"received {received} bytes, the grant is for {size}")
            sha256 = digest.hexdigest()
            if params.get("sha256") and params["sha256"] != sha256:
                raise GrantRefused(400, "the body's SHA-256 is not the one declared")
            await asyncio.to_thread(self._claim, path, part, content_type, sha256)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
        return ObjectInfo(key=key, size=size, content_type=content_type, sha256=sha256)

    def _claim(self, path: Path, part: Path, content_type: str, sha256: str) -> None:
        try:
            fd = os.open(self._meta_path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise GrantRefused(409, "an object was already uploaded with this URL") from None
        with os.fdopen(fd, "w") as meta:
            json.dump({"content_type": content_type, "sha256": sha256}, meta)
        os.replace(part, path)
