"""Helpers shared by the account browser tests (issue 17): a message and a picture sent from
the chat page, and where a person's stored files lie on disk."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from playwright.async_api import Page, expect

from server import keys
from tests.pages.test_browser_chat_layout import PNG


async def send_text_and_picture(page: Page, text: str) -> None:
    """On an open conversation page: send ``text``, then attach a picture, and wait until
    the picture shows in the thread (uploaded and sent)."""
    await page.locator("#message-input").fill(text)
    await page.locator("#message-input").press("Enter")
    await page.get_by_label("Attach a file").set_input_files(
        files=[{"name": "cv.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(page.locator("#messages .message.mine img.thumb")).to_have_js_property(
        "naturalWidth", 1
    )


async def stored_files(client, db, owner_id: UUID) -> dict[str, Path]:
    """The local store's file of each of ``owner_id``'s uploads, by purpose."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT purpose, object_key FROM uploads WHERE owner_id = $1 AND status = 'complete'",
            owner_id,
        )
    root = Path(client.app[keys.STORAGE].root)
    return {row["purpose"]: root / row["object_key"] for row in rows}
