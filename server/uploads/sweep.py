"""The periodic clean-up of abandoned uploads, run inside each web process.

Several instances may sweep at once: each claims rows with SKIP LOCKED, so they share the
work instead of repeating it. ``UploadService.sweep`` is the callable behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server import keys
from server.uploads.service import UploadService

log = logging.getLogger("rizeos.uploads")
BATCH = 100


async def sweep_forever(service: UploadService, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            # A full batch means there may be more: keep going before sleeping again.
            while await service.sweep(BATCH) == BATCH:
                pass
        except Exception:
            log.exception("sweeping abandoned uploads failed; retrying in %.0f s", interval)


async def upload_sweep_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    service = UploadService(app[keys.DB], app[keys.STORAGE], settings)
    task = asyncio.create_task(sweep_forever(service, settings.upload_sweep_interval_seconds))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
