"""Helpers for the tests of the per-instance caches (server/invalidation.py): a second
instance on the same database, pool borrowings counted, LISTEN in place."""

from __future__ import annotations

import aiohttp

from server import keys
from server.app import create_app
from tests.client import Api
from tests.waits import eventually


async def second_instance(settings, aiohttp_client, mailbox) -> Api:
    """Another instance of the server on the same database (and the same settings)."""
    client = await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())
    return Api(client, mailbox)


def acquisitions(api: Api, monkeypatch) -> list[str]:
    """Every pool connection ``api``'s instance borrows from now on."""
    db = api.client.app[keys.DB]
    borrowed: list[str] = []
    acquire = db._acquire

    def counted():
        borrowed.append("conn")
        return acquire()

    monkeypatch.setattr(db, "_acquire", counted)
    return borrowed


async def listening(api: Api) -> None:
    """Wait until ``api``'s instance hears invalidations (its caches answer from then on)."""
    await eventually(lambda: api.client.app[keys.INVALIDATION].enabled, what="LISTEN in place")
