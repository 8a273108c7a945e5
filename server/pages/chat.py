"""The chat page: conversation list and live conversation view (over the /chat socket)."""

from __future__ import annotations

import uuid
from typing import Any

from server.messaging.reactions import EMOJI
from server.pages.web import PageRequest, page


def _open_at(p: PageRequest) -> str:
    """``?m=<seq>``: open the conversation at that message (a search result); else latest."""
    value = p.request.query.get("m", "")
    return value if value.isdigit() and len(value) < 19 else ""


@page("/messages", "chat.html")
async def conversations(p: PageRequest) -> dict[str, Any]:
    # ``?c=<id>`` (the link a chat alert opens) is the same page as /messages/<id>; a value
    # that is not an id opens the list.
    try:
        opened = str(uuid.UUID(p.request.query.get("c", "")))
    except ValueError:
        opened = ""
    return {"conversation_id": opened, "open_at": _open_at(p) if opened else "", "reactions": EMOJI}


@page("/messages/{conversation_id}", "chat.html")
async def conversation(p: PageRequest) -> dict[str, Any]:
    # The socket decides what the viewer may read; an id they are not in shows "not found".
    return {
        "conversation_id": str(p.path_id("conversation_id")),
        "open_at": _open_at(p),
        "reactions": EMOJI,
    }
