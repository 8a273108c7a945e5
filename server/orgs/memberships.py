"""Memberships: join requests, invitations, approval, and the end of a membership.

The rules (also in docs/organizations.md):
* Roles depend on the organization's type: a company has admin, recruiter and employee
  members; an institute has admin, student, alumni and faculty members.
* A join request (no invitee named) is made by the user themself and waits, pending, for an
  active admin of the organization. Users may ask for the roles in ``SELF_JOIN_ROLES`` only.
  Except: a student or alumni request from a user whose verified email is on a counting
  domain of the institute is active at once (the design document's "status: active" on
  selection; the rule and why these roles are in domains.py). No one is notified of it: no
  one has anything to do. Only a first-time request: one that reopens the user's ended or
  declined membership of that role (an admin ended or declined it, or they left) waits for
  an admin like any other, or an admin could never remove a student the domain vouches for.
* An invitation (an invitee named) is made by an active admin and waits, pending, for the
  invitee. ``invited_by`` tells the two apart.
* Approve/decline: an organization admin for a join request, the invitee for an invitation.
* Deactivate: an organization admin; leave: the member themself. Neither may remove the
  last active admin.

Every change to an organization's memberships first locks the organization row
(``lock_organization``), which serialises them: the "last active admin" check and the
duplicate check then cannot race. Every state change goes through ``_changed``, which
stores the ``membership.*`` notification in the same transaction (its live event goes out
after commit; payload and recipients in events.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.notifications.service import NotificationService
from server.orgs import schemas
from server.orgs.access import MANAGE, active_roles, has_org_role
from server.orgs.domains import INSTANT_ROLES, DomainService
from server.orgs.events import MembershipEvent, announce_membership
from server.paging import decode_cursor, keyset_page

ROLES_BY_TYPE = {
    "company": frozenset({"admin", "recruiter", "employee"}),
    "institute": frozenset({"admin", "student", "alumni", "faculty"}),
}
SELF_JOIN_ROLES = {
    "company": frozenset({"employee"}),
    "institute": frozenset({"student", "alumni", "faculty"}),
}


def to_membership(row: asyncpg.Record) -> schemas.Membership:
    return msgspec.convert(dict(row), schemas.Membership)


def _cursor_key(row: asyncpg.Record) -> tuple:
    return (row["created_at"], row["id"])


class MembershipService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.orgs
        self.notifications = NotificationService(db)

    async def _lock_org(self, tx: Transaction, organization_id: uuid.UUID) -> asyncpg.Record:
        org = await self.q.lock_organization(tx.conn, organization_id=organization_id)
        if org is None:
            raise NotFound("no such organization")
        return org

    async def _lock(self, tx: Transaction, membership_id: uuid.UUID) -> asyncpg.Record:
        """Lock a membership, taking its organization's lock first (see the module doc)."""
        found = await self.q.get_membership(tx.conn, membership_id=membership_id)
        if found is None:
            raise NotFound("no such membership")
        await self._lock_org(tx, found["organization_id"])
        row = await self.q.lock_membership(tx.conn, membership_id=membership_id)
        if row is None:
            raise NotFound("no such membership")
        return row

    async def _is_admin(self, tx: Transaction, user_id: uuid.UUID, org_id: uuid.UUID) -> bool:
        return await has_org_role(self.db, tx.conn, user_id, org_id, MANAGE)

    async def _changed(
        self, tx: Transaction, row: asyncpg.Record, event: MembershipEvent, actor_id: uuid.UUID
    ) -> schemas.Membership:
        """Every state change ends here, inside its transaction, so its notification commits
        with it (and is emitted after the commit)."""
        await announce_membership(self.notifications, tx, event, row, actor_id)
        return to_membership(row)

    async def _invitee(self, tx: Transaction, body: schemas.MembershipCreate) -> uuid.UUID:
        if body.email is not None and body.user_id is not None:
            raise Invalid.field("body.email", "name the invitee by email or by user_id, not both")
        if body.email is not None:
            user_id = await self.q.find_user_id_by_email(tx.conn, email=body.email.strip())
            if user_id is None:
                raise NotFound("no user has this email address")
            return user_id
        assert body.user_id is not None
        if not await self.q.user_exists(tx.conn, user_id=body.user_id):
            raise NotFound("no such user")
        return body.user_id

    async def request(
        self, caller_id: uuid.UUID, organization_id: uuid.UUID, body: schemas.MembershipCreate
    ) -> schemas.Membership:
        """A join request by the caller, or an invitation by an admin when an invitee is named."""
        role = body.role_in_org
        inviting = body.email is not None or body.user_id is not None
        async with self.db.transaction() as tx:
            org = await self._lock_org(tx, organization_id)
            if role not in ROLES_BY_TYPE[org["type"]]:
                allowed = ", ".join(sorted(ROLES_BY_TYPE[org["type"]]))
                raise Invalid.field("body.role_in_org", f"a {org['type']} has {allowed} members")
            if inviting:
                if not await self._is_admin(tx, caller_id, organization_id):
                    raise Forbidden("only active admin members of this organization may invite")
                user_id = await self._invitee(tx, body)
                if user_id == caller_id:
                    raise Invalid.field(
                        "body.email", "invite someone else; to ask to join, name no invitee"
                    )
                invited_by: uuid.UUID | None = caller_id
            else:
                if role not in SELF_JOIN_ROLES[org["type"]]:
                    raise Forbidden(
                        f"you cannot ask to be {role} of a {org['type']}; an admin invites you"
                    )
                user_id, invited_by = caller_id, None
            existing = await self.q.lock_membership_of(
                tx.conn, user_id=user_id, organization_id=organization_id, role_in_org=role
            )
            if existing is not None and existing["status"] != "inactive":
                raise Conflict(_duplicate_detail(existing, inviting))
            if existing is not None:
                row = await self.q.reopen_membership(
                    tx.conn, membership_id=existing["id"], invited_by=invited_by
                )
            else:
                row = await self.q.insert_membership(
                    tx.conn,
                    user_id=user_id,
                    organization_id=organization_id,
                    role_in_org=role,
                    status="pending",
                    invited_by=invited_by,
                )
            if (
                not inviting
                and existing is None
                and role in INSTANT_ROLES
                and await DomainService(self.db).vouches_for(tx, organization_id, user_id)
            ):
                row = await self.q.activate_membership(tx.conn, membership_id=row["id"])
                return to_membership(row)
            event = "membership.invited" if inviting else "membership.requested"
            return await self._changed(tx, row, event, caller_id)

    async def _require_answerer(
        self, tx: Transaction, caller_id: uuid.UUID, row: asyncpg.Record, verb: str
    ) -> None:
        """A join request is answered by an org admin, an invitation by the invitee only."""
        if row["invited_by"] is None:
            if not await self._is_admin(tx, caller_id, row["organization_id"]):
                raise Forbidden(f"only active admin members of this organization may {verb} it")
        elif row["user_id"] != caller_id:
            raise Forbidden(f"only the invited user may {verb} this invitation")
        if row["status"] != "pending":
            raise Conflict(f"this membership is {row['status']}, not pending")

    async def approve(self, caller_id: uuid.UUID, membership_id: uuid.UUID) -> schemas.Membership:
        async with self.db.transaction() as tx:
            row = await self._lock(tx, membership_id)
            await self._require_answerer(tx, caller_id, row, "approve")
            inviter = row["invited_by"]
            if inviter is not None and not await self._is_admin(
                tx, inviter, row["organization_id"]
            ):
                # An admin who was removed must not leave working invitations behind.
                raise Conflict(
                    "whoever invited you is no longer an admin of this organization; "
                    "ask a current admin for a new invitation"
                )
            row = await self.q.activate_membership(tx.conn, membership_id=membership_id)
            changed = await self._changed(tx, row, "membership.approved", caller_id)
            if row["role_in_org"] == "admin":
                # A new admin's verified email may make one of the domains count.
                await DomainService(self.db).activate_waiting(tx, row["organization_id"], caller_id)
            return changed

    async def decline(self, caller_id: uuid.UUID, membership_id: uuid.UUID) -> schemas.Membership:
        async with self.db.transaction() as tx:
            row = await self._lock(tx, membership_id)
            await self._require_answerer(tx, caller_id, row, "decline")
            row = await self.q.end_membership(tx.conn, membership_id=membership_id)
            return await self._changed(tx, row, "membership.declined", caller_id)

    async def deactivate(
        self, caller_id: uuid.UUID, membership_id: uuid.UUID
    ) -> schemas.Membership:
        """An org admin ends a membership, or withdraws an invitation / refuses a request."""
        async with self.db.transaction() as tx:
            row = await self._lock(tx, membership_id)
            if not await self._is_admin(tx, caller_id, row["organization_id"]):
                raise Forbidden("only active admin members of this organization may deactivate")
            return await self._end(tx, row, "membership.deactivated", caller_id)

    async def leave(self, caller_id: uuid.UUID, membership_id: uuid.UUID) -> schemas.Membership:
        """The member ends their own membership (or withdraws their own pending request)."""
        async with self.db.transaction() as tx:
            row = await self._lock(tx, membership_id)
            if row["user_id"] != caller_id:
                raise Forbidden("only the member may leave; admins deactivate instead")
            return await self._end(tx, row, "membership.left", caller_id)

    async def _end(
        self, tx: Transaction, row: asyncpg.Record, event: MembershipEvent, actor_id: uuid.UUID
    ) -> schemas.Membership:
        if row["status"] == "inactive":
            raise Conflict("this membership is already inactive")
        if row["role_in_org"] == "admin" and row["status"] == "active":
            admins = await self.q.count_active_admins(
                tx.conn, organization_id=row["organization_id"]
            )
            if admins <= 1:
                raise Conflict(
                    "this is the organization's last active admin; make another admin first"
                )
        ended = await self.q.end_membership(tx.conn, membership_id=row["id"])
        return await self._changed(tx, ended, event, actor_id)

    async def list_for_org(
        self,
        caller_id: uuid.UUID,
        organization_id: uuid.UUID,
        query: schemas.MembershipListQuery,
    ) -> schemas.MemberPage:
        """Admins see every membership with emails; other active members see active ones."""
        after_created_at, after_id = after_cursor(query.cursor)
        async with self.db.connection() as conn:
            if await self.q.get_organization(conn, organization_id=organization_id) is None:
                raise NotFound("no such organization")
            roles = await active_roles(self.db, conn, caller_id, organization_id)
            is_admin = bool(roles & MANAGE)
            if not roles:
                raise Forbidden("only active members of this organization may see its members")
            if not is_admin and query.status not in (None, "active"):
                raise Forbidden("only admins of this organization see pending or past members")
            status = query.status if is_admin else "active"
            rows = await fetch_all(
                self.q.list_organization_members,
                conn,
                organization_id=organization_id,
                status=status,
                after_created_at=after_created_at,
                after_id=after_id,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, _cursor_key)
        items = [_member(row, show_email=is_admin) for row in page]
        return schemas.MemberPage(items=items, next=next_cursor)

    async def list_for_user(
        self, user_id: uuid.UUID, query: schemas.MembershipListQuery
    ) -> schemas.MyMembershipPage:
        after_created_at, after_id = after_cursor(query.cursor)
        async with self.db.connection() as conn:
            rows = await fetch_all(
                self.q.list_user_memberships,
                conn,
                user_id=user_id,
                status=query.status,
                after_created_at=after_created_at,
                after_id=after_id,
                limit=query.limit + 1,
            )
        page, next_cursor = keyset_page(rows, query.limit, _cursor_key)
        return schemas.MyMembershipPage(items=[_my_membership(r) for r in page], next=next_cursor)


def after_cursor(cursor: str | None) -> tuple[Any, Any]:
    after = decode_cursor(cursor, (datetime, uuid.UUID))
    return after if after else (None, None)


def _duplicate_detail(existing: asyncpg.Record, inviting: bool) -> str:
    if existing["status"] == "active":
        return f"this user is already an active {existing['role_in_org']} of this organization"
    if existing["invited_by"] is None:
        return (
            "a join request for this role is already pending"
            + ("; approve it instead" if inviting else "")
            + f" (membership {existing['id']})"
        )
    return (
        "an invitation for this role is already pending"
        + ("" if inviting else "; accept it instead")
        + f" (membership {existing['id']})"
    )


def _member(row: asyncpg.Record, show_email: bool) -> schemas.Member:
    data = dict(row)
    if not show_email:
        data["email"] = None
    return msgspec.convert(data, schemas.Member)


def _my_membership(row: asyncpg.Record) -> schemas.MyMembership:
    data = dict(row)
    data["organization"] = {
        "id": row["organization_id"],
        "name": row["organization_name"],
        "type": row["organization_type"],
        "is_verified": row["organization_is_verified"],
        "logo_url": row["organization_logo_url"],
        "domain_verified": row["organization_domain_verified"],
    }
    return msgspec.convert(data, schemas.MyMembership)
