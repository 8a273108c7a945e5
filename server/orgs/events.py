"""The live events of memberships (membership.* notifications): their payload and who is
told of a membership change.

Called by ``MembershipService._changed`` inside the change's transaction; stored as
notifications there and emitted on /notifications after the commit. The rule is "whoever
must act next or is affected, except the person who made the change" (they have the REST
answer already):

| event | when | recipients |
|---|---|---|
| membership.requested | a user asks to join | the organization's active admins |
| membership.invited | an admin invites a user | the invitee |
| membership.approved / .declined | a join request is answered | the requester |
| membership.approved / .declined | an invitation is answered | the organization's active admins |
| membership.approved | a counting email domain activates a waiting request | the requester |
| membership.deactivated | an admin ends a membership or withdraws an invitation | the member |
| membership.left | a member leaves or withdraws their request | the organization's active admins |
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import asyncpg
import msgspec

from server.db import Transaction, fetch_all
from server.notifications.service import NotificationService

MembershipEvent = Literal[
    "membership.requested",
    "membership.invited",
    "membership.approved",
    "membership.declined",
    "membership.deactivated",
    "membership.left",
]
_TO_ADMINS = {"membership.requested", "membership.left"}


class MembershipPayload(msgspec.Struct, frozen=True):
    """Every membership.* event: the membership after the change, and who made it."""

    membership_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    user_id: uuid.UUID
    role_in_org: str
    status: str
    invited_by: uuid.UUID | None
    changed_by: uuid.UUID
    changed_at: datetime


_TO_MEMBER = {"membership.invited", "membership.deactivated"}


async def _admins(
    notifications: NotificationService, tx: Transaction, organization_id: uuid.UUID
) -> list[uuid.UUID]:
    rows = await fetch_all(
        notifications.q.list_active_members_with_roles,
        tx.conn,
        organization_id=organization_id,
        roles=["admin"],
    )
    return [row["user_id"] for row in rows]


async def announce_membership(
    notifications: NotificationService,
    tx: Transaction,
    event: MembershipEvent,
    row: asyncpg.Record,
    actor_id: uuid.UUID,
) -> None:
    """Store and queue ``event`` for the membership ``row`` (as it is after the change)."""
    answering_request = event in ("membership.approved", "membership.declined") and (
        row["invited_by"] is None
    )
    if event in _TO_MEMBER or answering_request:
        recipients = [row["user_id"]]
    else:
        recipients = await _admins(notifications, tx, row["organization_id"])
    recipients = [user_id for user_id in recipients if user_id != actor_id]
    if not recipients:
        return
    name = await notifications.q.get_organization_name(
        tx.conn, organization_id=row["organization_id"]
    )
    payload = MembershipPayload(
        membership_id=row["id"],
        organization_id=row["organization_id"],
        organization_name=name,
        user_id=row["user_id"],
        role_in_org=row["role_in_org"],
        status=row["status"],
        invited_by=row["invited_by"],
        changed_by=actor_id,
        changed_at=row["updated_at"],
    )
    await notifications.notify(tx, recipients, event, payload)
