"""Deleting an account: who may (the refusals), and the erase in one transaction.

The refusals come first and change nothing: a typed confirmation that is not the account's
email, a wrong password (422), a password-less session that has not re-authenticated
within REAUTH_WINDOW_MINUTES (403), the last active admin of an organization or a party to
an order still open (409). The erase then runs in one transaction: the users row becomes a
tombstone (sql/deletion/deletion.sql ``tombstone_user``), the personal rows go, the stored
objects to delete are collected and handed to a durable job (``worker.py``) queued in the
same transaction, so they are deleted if and only if the erase committed. After the commit
the person's sockets close and every instance forgets their sessions.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

from server.auth.tokens import verify_password
from server.config import Settings
from server.db import Database, Transaction, fetch_all
from server.deletion import schemas
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.invalidation import key
from server.orders.states import ACTIVE
from server.realtime.contract import Disconnect
from server.worker import enqueue_job

log = logging.getLogger("rizeos.deletion")

# The job that deletes an erased account's stored objects (worker.py).
ERASE_OBJECTS_ENTRYPOINT = "account_erase_objects"


def reauth_link(provider: str) -> str:
    """Where "Confirm with <provider>" goes (the OIDC flow's reauth intent stamps the
    session's authenticated_at, then comes back to the settings page)."""
    return f"/api/auth/oidc/{provider}/start?intent=reauth&next=/settings/account"


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class AccountDeletion:
    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self.q = db.q.deletion

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.settings.reauth_window_minutes)

    async def _check_password(self, user_id: uuid.UUID, password: str, field: str) -> bool:
        """Whether ``password`` is the account's. A password-less account has none to check."""
        async with self.db.statement() as conn:
            row = await self.q.get_account_for_deletion(conn, user_id=user_id)
        if row is None or row["deleted_at"] is not None:
            raise NotFound("no such account")
        if row["password_hash"] is None:
            return False
        if not await verify_password(row["password_hash"], password):
            raise Invalid.field(field, "this is not your password")
        return True

    async def reauthenticate(
        self, user_id: uuid.UUID, session_id: uuid.UUID, password: str
    ) -> schemas.Reauthenticated:
        """The person proves it is them with their password: the session may delete the
        account (without typing it again) for the next REAUTH_WINDOW_MINUTES."""
        if not await self._check_password(user_id, password, "body.password"):
            raise Conflict(
                "this account has no password: confirm with your identity provider instead"
            )
        async with self.db.transaction() as tx:
            row = await self.db.q.auth.mark_session_authenticated(tx.conn, session_id=session_id)
        at = row["authenticated_at"]
        return schemas.Reauthenticated(authenticated_at=at, valid_until=at + self.window)

    async def check(self, user_id: uuid.UUID, session_id: uuid.UUID) -> schemas.DeletionCheck:
        async with self.db.connection() as conn:
            row = await self.q.get_account_for_deletion(conn, user_id=user_id)
            if row is None or row["deleted_at"] is not None:
                raise NotFound("no such account")
            providers = [
                r["provider"]
                for r in await fetch_all(self.q.list_identity_providers, conn, user_id=user_id)
            ]
            at = await self.db.q.auth.get_session_authenticated_at(conn, session_id=session_id)
            orgs = await fetch_all(self.q.list_last_admin_organizations, conn, user_id=user_id)
            orders = await fetch_all(
                self.q.list_open_orders, conn, user_id=user_id, statuses=list(ACTIVE)
            )
        until = at + self.window if at is not None else None
        return schemas.DeletionCheck(
            email=row["email"],
            has_password=row["password_hash"] is not None,
            providers=providers,
            reauthenticated_until=until if until and until > datetime.now(UTC) else None,
            last_admin_of=[schemas.OrganizationRef(id=o["id"], name=o["name"]) for o in orgs],
            open_orders=[schemas.OpenOrder(**dict(o)) for o in orders],
        )

    async def delete(
        self, user_id: uuid.UUID, session_id: uuid.UUID, body: schemas.DeleteAccountRequest
    ) -> None:
        """Erase the account, or refuse with nothing changed."""
        async with self.db.statement() as conn:
            row = await self.q.get_account_for_deletion(conn, user_id=user_id)
        if row is None or row["deleted_at"] is not None:
            raise NotFound("no such account")
        if body.confirm.strip().lower() != row["email"].lower():
            raise Invalid.field(
                "body.confirm", "type your account's email address exactly to confirm"
            )
        if row["password_hash"] is not None:
            if not body.password:
                raise Invalid.field("body.password", "enter your password to confirm")
            await self._check_password(user_id, body.password, "body.password")
        async with self.db.transaction() as tx:
            locked = await self.q.lock_user_for_deletion(tx.conn, user_id=user_id)
            if locked is None or locked["deleted_at"] is not None:
                raise NotFound("no such account")
            if locked["password_hash"] is None:
                await self._require_recent_reauth(tx, user_id, session_id)
            await self._refuse_if_needed(tx, user_id)
            await self._erase(tx, user_id)

    async def _require_recent_reauth(
        self, tx: Transaction, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> None:
        at = await self.db.q.auth.get_session_authenticated_at(tx.conn, session_id=session_id)
        if at is not None and at + self.window > datetime.now(UTC):
            return
        providers = [
            r["provider"]
            for r in await fetch_all(self.q.list_identity_providers, tx.conn, user_id=user_id)
        ]
        how = (
            " or ".join(f"GET {reauth_link(p)}" for p in providers)
            if providers
            else "set a password first (Account settings), then delete with it"
        )
        raise Forbidden(
            f"confirm it is you first: re-authenticate with your identity provider ({how}), "
            f"then delete the account within {self.settings.reauth_window_minutes} minutes"
        )

    async def _refuse_if_needed(self, tx: Transaction, user_id: uuid.UUID) -> None:
        await fetch_all(self.q.lock_user_organizations, tx.conn, user_id=user_id)
        orgs = await fetch_all(self.q.list_last_admin_organizations, tx.conn, user_id=user_id)
        if orgs:
            names = _names([o["name"] for o in orgs])
            raise Conflict(
                f"you are the last admin of {names}: make another member an admin "
                "(Members page) first, then delete your account"
            )
        await fetch_all(self.q.lock_user_gigs, tx.conn, user_id=user_id)
        orders = await fetch_all(
            self.q.list_open_orders, tx.conn, user_id=user_id, statuses=list(ACTIVE)
        )
        if orders:
            listed = _names([f"“{o['gig_title']}” ({o['status']})" for o in orders])
            raise Conflict(
                f"you have {len(orders)} open order(s): {listed}; complete, decline or "
                "cancel them first, then delete your account"
            )

    async def _erase(self, tx: Transaction, user_id: uuid.UUID) -> None:
        keys = [
            r["object_key"]
            for r in await fetch_all(self.q.delete_user_uploads, tx.conn, user_id=user_id)
        ]
        keys += [
            r["object_key"]
            for r in await fetch_all(self.q.delete_user_exports, tx.conn, user_id=user_id)
            if r["object_key"] is not None
        ]
        counts = await self.q.erase_personal_rows(tx.conn, user_id=user_id)
        await self.q.tombstone_user(tx.conn, user_id=user_id)
        if keys:
            payload = json.dumps({"user_id": str(user_id), "object_keys": keys}).encode()
            await enqueue_job(self.db, tx, ERASE_OBJECTS_ENTRYPOINT, payload)
        # Every session of theirs is gone: this instance forgets them at once (the user key
        # names all of them), the others when the sessions trigger's notification arrives.
        tx.invalidate(key("user", user_id))
        tx.emit(Disconnect.user(user_id))
        summary = ", ".join(f"{name} {n}" for name, n in dict(counts).items() if n)
        tx.after_commit(
            _logger(
                f"erased account {user_id}: {summary or 'no personal rows'}; "
                f"{len(keys)} stored object(s) queued for deletion"
            )
        )


def _logger(message: str):
    async def write() -> None:
        log.info("%s", message)

    return write
