"""The caller behind a session token, looked up once per instance and then served from memory.

Every authenticated request starts here. Without a cache each one paid a pool acquisition and
a round trip to PostgreSQL before its handler ran (issue 12). The entry holds what the lookup
returns, the session and its user, so ``GET /api/me`` needs no query at all.

Safe because of ``server.invalidation``: a revoked session (log-out, a password reset), a
user whose roles or verification changed, is dropped from this cache on this instance right
after the commit (the account service's ``tx.invalidate``, server/db.py) and on
every other instance when PostgreSQL's notification arrives; while this instance cannot hear
those notifications the cache is bypassed and every request reads the database.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from server.auth.caller import Caller
from server.auth.schemas import User
from server.auth.tokens import token_hash
from server.db import Database
from server.invalidation import Cache, Invalidation, key


@dataclass(frozen=True, slots=True)
class SessionEntry:
    session_id: uuid.UUID
    expires_at: float  # a POSIX timestamp: compared on every request, cheaper than datetimes
    user: User
    seen_at: float  # last_seen_at as read (POSIX): server/auth/last_seen.py writes it seldom

    by_bearer: Caller
    by_cookie: Caller

    @classmethod
    def of(
        cls, session_id: uuid.UUID, expires_at: float, user: User, seen_at: float
    ) -> SessionEntry:
        def caller(via_cookie: bool) -> Caller:
            return Caller(
                user_id=user.id,
                roles=tuple(user.roles),
                is_verified=user.is_verified,
                session_id=session_id,
                via_cookie=via_cookie,
            )

        return cls(session_id, expires_at, user, seen_at, caller(False), caller(True))

    def caller(self, via_cookie: bool) -> Caller:
        return self.by_cookie if via_cookie else self.by_bearer


def _names(entry: SessionEntry) -> tuple[str, ...]:
    return (key("session", entry.session_id), key("user", entry.user.id))


class SessionCache(Cache[bytes, SessionEntry]):
    def __init__(self, invalidation: Invalidation, max_entries: int, ttl_s: float):
        super().__init__(invalidation, max_entries, ttl_s, _names)


async def session_entry(
    db: Database, cache: SessionCache | None, token: str
) -> SessionEntry | None:
    """The live session behind ``token`` (``None``: unknown, expired or revoked)."""
    digest = token_hash(token)

    async def read() -> SessionEntry | None:
        async with db.statement() as conn:
            row = await db.q.auth.get_session_caller(conn, token_hash=digest)
        if row is None:
            return None
        return SessionEntry.of(
            session_id=row["session_id"],
            expires_at=row["expires_at"].timestamp(),
            user=User(
                id=row["user_id"],
                email=row["email"],
                roles=list(row["roles"]),
                is_verified=row["is_verified"],
                created_at=row["created_at"],
            ),
            seen_at=row["last_seen_at"].timestamp(),
        )

    if cache is None:
        return await read()
    return await cache.load(digest, read, lambda entry: entry.expires_at > time.time())
