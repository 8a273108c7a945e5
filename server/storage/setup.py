"""``python -m server storage-setup``: prepare the configured store for browser uploads.

With B2 it makes the bucket private and sets the CORS rules (uploads only from the app's
origins, only presigned S3 PUTs and authorized downloads) and the lifecycle rule that clears
``incoming/`` (docs/storage.md explains each). Safe to run again: it sets, not adds.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from server.config import Settings
from server.storage import create_storage
from server.storage.b2 import B2Storage
from server.storage.local import LocalStorage


async def storage_setup(settings: Settings, say: Callable[[str], None] = print) -> None:
    storage = create_storage(settings)
    try:
        if isinstance(storage, LocalStorage):
            storage.root.mkdir(parents=True, exist_ok=True)
            say(
                f"local storage: files under {storage.root}, served by this app under "
                f"{storage.base_url}; nothing else to set up"
            )
            return
        assert isinstance(storage, B2Storage)
        applied = await storage.apply_bucket_rules(settings.cors_origins)
        say(f"B2 bucket {storage.bucket_name!r} updated:")
        say(json.dumps(applied, indent=2))
    finally:
        await storage.close()
