"""Who may start a conversation with whom, and on what grounds (docs/messaging.md).

Every conversation is started about a context, and every participant other than the
caller must satisfy that context's rule *with the caller*:

* ``application``: the candidate with the active admins/recruiters of the hiring company,
  either side first. An application is private to those people, so anyone else is told it
  does not exist (404), as the applications routes would.
* ``gig``: any verified user with the gig's freelancer, about that gig.
* ``organization``: active members of the same organization with each other.
* ``order``: nobody. An order's conversation is opened with the order, between its buyer
  and seller (system.py), and its participants are fixed: no start, no one added.

Every participant must also be a verified account. A context that does not exist is 404;
a participant who does not satisfy the rule is 403, and nothing is created.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from server.db import Database, fetch_all
from server.errors import Forbidden, NotFound
from server.messaging.schemas import ContextRef
from server.orgs.access import HIRE, active_roles, has_org_role

ORDER_START = (
    "an order's conversation is opened with the order (POST /api/gigs/{gig_id}/orders), "
    "between its buyer and seller; it cannot be started here"
)
ORDER_FIXED = "an order's conversation is between its buyer and seller only: nobody can be added"
ORDER_LEAVE = (
    "an order's conversation stays between its buyer and seller while the order exists: "
    "nobody can leave or be removed (mute it instead)"
)

# Given a participant other than the caller: may the caller talk to them on this context?
Allowed = Callable[[uuid.UUID], Awaitable[bool]]


async def check_start(
    db: Database,
    conn: asyncpg.Connection,
    caller_id: uuid.UUID,
    others: list[uuid.UUID],
    context: ContextRef,
) -> None:
    """Raise NotFound for an unknown context, Forbidden for a participant the rule refuses."""
    if context.type == "order":
        raise Forbidden(ORDER_START)
    rules = {"application": _application, "gig": _gig, "organization": _organization}
    allowed, rule_text = await rules[context.type](db, conn, caller_id, context.id)
    rows = await fetch_all(db.q.messaging.list_verified_users, conn, user_ids=others)
    verified = {row["id"] for row in rows}
    for other in others:
        if other not in verified or not await allowed(other):
            raise Forbidden(
                f"you may not start a conversation with {other} about this {context.type}: "
                f"{rule_text}"
            )


async def _application(
    db: Database, conn: asyncpg.Connection, caller_id: uuid.UUID, application_id: uuid.UUID
) -> tuple[Allowed, str]:
    parties = await db.q.messaging.get_application_parties(conn, application_id=application_id)
    if parties is None:
        raise NotFound("no such application")
    candidate_id, company_id = parties["candidate_id"], parties["company_id"]
    caller_is_candidate = caller_id == candidate_id
    caller_hires = await has_org_role(db, conn, caller_id, company_id, HIRE)
    if not (caller_is_candidate or caller_hires):
        raise NotFound("no such application")

    async def allowed(other: uuid.UUID) -> bool:
        if caller_hires and other == candidate_id:
            return True
        return caller_is_candidate and await has_org_role(db, conn, other, company_id, HIRE)

    return allowed, (
        "about an application, the candidate and the hiring company's active admins and "
        "recruiters talk with each other"
    )


async def _gig(
    db: Database, conn: asyncpg.Connection, caller_id: uuid.UUID, gig_id: uuid.UUID
) -> tuple[Allowed, str]:
    freelancer_id = await db.q.messaging.get_gig_freelancer(
        conn, gig_id=gig_id, caller_id=caller_id
    )
    if freelancer_id is None:
        raise NotFound("no such gig")

    async def allowed(other: uuid.UUID) -> bool:
        # A client reaches the freelancer; a freelancer cannot use a gig to cold-message
        # (or group together) people who never asked.
        return caller_id != freelancer_id and other == freelancer_id

    return allowed, "about a gig, a client starts a conversation with the gig's freelancer"


async def _organization(
    db: Database, conn: asyncpg.Connection, caller_id: uuid.UUID, organization_id: uuid.UUID
) -> tuple[Allowed, str]:
    if not await db.q.messaging.organization_exists(conn, organization_id=organization_id):
        raise NotFound("no such organization")
    rule_text = "about an organization, its active members talk with each other"
    if not await active_roles(db, conn, caller_id, organization_id):
        raise Forbidden(f"you are not an active member of this organization; {rule_text}")

    async def allowed(other: uuid.UUID) -> bool:
        return bool(await active_roles(db, conn, other, organization_id))

    return allowed, rule_text
