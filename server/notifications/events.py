"""The live event of a stored notification, on the /notifications namespace.

Each notification is emitted to its one recipient, named after its type
(``application.created``, ``application.status``, ``membership.*``, ``profile.enriched``),
carrying the stored notification itself (``{id, type, payload, created_at, read_at}``), so a
live client and one that catches up later (REST or ``sync``) see the same object, with the
id to resume from. Which types exist and who receives them is each domain's rule (its own
``events.py``); docs/notifications.md lists them.
"""

from __future__ import annotations

import uuid

from server.notifications.schemas import Notification
from server.realtime.contract import LiveEvent

NAMESPACE = "/notifications"


def notification(user_id: uuid.UUID, stored: Notification) -> LiveEvent:
    return LiveEvent((user_id,), NAMESPACE, stored.type, stored)
