"""Live events to users: the one interface services use, whatever carries the events.

Services never emit inside a transaction; they call ``tx.after_commit(lambda:
events.to_users(...))`` so a client only ever hears of committed rows, and a failed emit
loses nothing the client cannot fetch (STYLE.md rule 3). Every recipient is addressed by
user id: each connected socket sits in its user's room (``user:<id>``), so adding or
removing a participant takes effect with the very next event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Protocol


def user_room(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def session_room(session_id: uuid.UUID | str) -> str:
    return f"session:{session_id}"


class Events(Protocol):
    async def to_users(
        self,
        user_ids: Iterable[uuid.UUID],
        namespace: str,
        event: str,
        payload: Any,
        *,
        best_effort: bool = False,
    ) -> None:
        """Deliver ``event`` with ``payload`` to every socket of every user, on any instance.

        ``best_effort`` marks events (typing, presence) that may be dropped under load.
        """
        ...

    async def online(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """The users with at least one connected socket on any instance."""
        ...

    async def disconnect_session(self, session_id: uuid.UUID) -> None:
        """Disconnect every socket of a revoked session, on every instance."""
        ...

    async def disconnect_user(self, user_id: uuid.UUID) -> None:
        """Disconnect every socket of a user whose sessions were all revoked."""
        ...


class NoEvents:
    """For processes and tests that have no live clients: events go nowhere."""

    async def to_users(self, user_ids, namespace, event, payload, *, best_effort=False) -> None:
        return None

    async def online(self, user_ids) -> set[uuid.UUID]:
        return set()

    async def disconnect_session(self, session_id) -> None:
        return None

    async def disconnect_user(self, user_id) -> None:
        return None

    async def close(self) -> None:
        return None
