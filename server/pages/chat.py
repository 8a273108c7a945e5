"""The chat page: conversation list and live conversation view (over the /chat socket)."""

from __future__ import annotations

from typing import Any

from server.pages.web import PageRequest, page


@page("/messages", "chat.html")
async def conversations(p: PageRequest) -> dict[str, Any]:
    return {"conversation_id": ""}


@page("/messages/{conversation_id}", "chat.html")
async def conversation(p: PageRequest) -> dict[str, Any]:
    # The socket decides what the viewer may read; an id they are not in shows "not found".
    return {"conversation_id": str(p.path_id("conversation_id"))}
