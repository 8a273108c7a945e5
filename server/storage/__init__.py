"""Object storage: one interface (``Storage``), a local and a Backblaze B2 backend.

``create_storage(settings)`` picks the backend from the settings (B2 when its credentials
are set, the local store under ``DATA_DIR/uploads`` otherwise) and works the same in the web
process and in a worker. The web app keeps its instance on ``app[keys.STORAGE]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from server.config import Settings
from server.storage.base import (
    KEY_PATTERN,
    SAME_HOST,
    ObjectInfo,
    ObjectNotFound,
    ObjectTooLarge,
    Storage,
    StorageError,
    UploadGrant,
    check_key,
)

__all__ = [
    "KEY_PATTERN",
    "SAME_HOST",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectTooLarge",
    "Storage",
    "StorageError",
    "UploadGrant",
    "check_key",
    "create_storage",
    "storage_ctx",
]


def create_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "b2":
        from server.storage.b2 import B2Storage

        return B2Storage.from_settings(settings)
    from server.storage.local import LocalStorage

    return LocalStorage.from_settings(settings)


async def storage_ctx(app) -> AsyncIterator[None]:
    """aiohttp cleanup context: the app's store on ``app[keys.STORAGE]``."""
    from server import keys

    storage = create_storage(app[keys.SETTINGS])
    app[keys.STORAGE] = storage
    try:
        yield
    finally:
        await storage.close()
