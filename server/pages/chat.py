"""The chat page: conversation list and live conversation view (over the /chat socket)."""

from __future__ import annotations

import uuid
from typing import Any

from server.pages.web import PageRequest, page


@page("/messages", "chat.html")
async def conversations(p: PageRequest) -> dict[str, Any]:
    # /messages?c=<id> (the link of a missed-message email or a toast) opens that one.
    try:
        return {"conversation_id": str(uuid.UUID(p.request.query.get("c", "")))}
    except ValueError:
        return {"conversation_id": ""}


@page("/messages/{conversation_id}", "chat.html")
async def conversation(p: PageRequest) -> dict[str, Any]:
    # The socket decides what the viewer may read; an id they are not in shows "not found".
    return {"conversation_id": str(p.path_id("conversation_id"))}
