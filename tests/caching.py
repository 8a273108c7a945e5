"""Helpers for the tests of the per-instance caches (server/invalidation.py): a second
instance on the same database, pool borrowings counted, LISTEN in place."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from server import keys
from server.app import create_app
from server.auth.tokens import token_hash
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


async def filled(fetch: Callable[[], Awaitable[Any]], holds: Callable[[], bool], what: str) -> None:
    """Read until the instance's cache holds the answer. One read is not always enough: a read
    that raced an invalidation (any key's: the sign-up's own notifications arriving late, or
    another change on this database) is not stored (``Cache.put``), by design."""

    async def read_and_check() -> bool:
        await fetch()
        return holds()

    await eventually(read_and_check, what=what)


async def session_cached(api: Api, user) -> None:
    """``GET /api/me`` on ``api``'s instance until it holds ``user``'s session."""
    sessions = api.client.app[keys.SESSIONS]
    await filled(
        lambda: api.get("/api/me", as_=user, expect=200),
        lambda: sessions.get(token_hash(user.token)) is not None,
        what="the session in the cache",
    )


async def job_cached(api: Api, job_id: str) -> None:
    """``GET /api/jobs/{id}`` on ``api``'s instance until it holds the posting."""
    jobs = api.client.app[keys.JOBS]
    await filled(
        lambda: api.get(f"/api/jobs/{job_id}", expect=200),
        lambda: jobs.get(uuid.UUID(job_id)) is not None,
        what="the job in the cache",
    )
