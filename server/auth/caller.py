"""Who is calling: the user behind a session, as routes, sockets and pages see them.

Resolved from a session cookie or bearer token by ``server.auth.middleware`` (HTTP requests)
and ``server.sockets`` (Socket.IO connections); it carries no HTTP types, so anything may
import it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: uuid.UUID
    roles: tuple[str, ...]
    is_verified: bool
    session_id: uuid.UUID
    via_cookie: bool

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
