"""Calls that change stored messages (edit, delete, react) through the REST routes, shared by
the tests of changes and of search."""

from __future__ import annotations

import urllib.parse

from tests.client import User
from tests.messaging.conftest import Chat


def message_path(conversation: dict, message: dict) -> str:
    return f"/api/conversations/{conversation['id']}/messages/{message['id']}"


def reaction_path(conversation: dict, message: dict, emoji: str) -> str:
    return f"{message_path(conversation, message)}/reactions/{urllib.parse.quote(emoji)}"


async def edit(chat: Chat, user: User, conversation: dict, message: dict, content: str, **kw):
    expect = kw.pop("expect", 200)
    body = {"content": content, **kw}
    return await chat.api.patch(message_path(conversation, message), body, as_=user, expect=expect)


async def delete(chat: Chat, user: User, conversation: dict, message: dict, expect: int = 204):
    return await chat.api.delete(message_path(conversation, message), as_=user, expect=expect)


async def react(chat: Chat, user: User, conversation: dict, message: dict, emoji: str, **kw):
    method = "PUT" if kw.pop("on", True) else "DELETE"
    path = reaction_path(conversation, message, emoji)
    return await chat.api.call(method, path, as_=user, expect=kw.pop("expect", 200))
