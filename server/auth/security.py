"""A signed-in person's own security: their sessions, password and email address.

Ending a session (one, every other, or all others on a password change) takes effect
everywhere at once: the session row is revoked, this instance's session cache forgets it
right after the commit (``tx.invalidate``) and the others' when PostgreSQL's notification
arrives (server/invalidation.py), and ``Disconnect.session`` closes its open sockets on
every instance, emitted after the commit through the unit of work as log-out does.

An email change takes effect only when the link mailed to the new address is confirmed;
until then the old address keeps working and is told of the request.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from server.auth import schemas
from server.auth.devices import device_labels
from server.auth.service import RESET_PASSWORD, VERIFY_EMAIL, to_user
from server.auth.tokens import hash_password, new_token, token_hash, verify_password
from server.config import Settings
from server.db import Database, Transaction, fetch_all
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.invalidation import key
from server.mail import Mailer
from server.realtime.contract import Disconnect

CHANGE_EMAIL = "change_email"


class SecurityService:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer):
        self.db = db
        self.settings = settings
        self.mailer = mailer

    async def overview(self, user_id: uuid.UUID) -> dict[str, Any]:
        """What the account page's security section renders: whether the account has a
        password (then changes ask for it) and the email change waiting, if any."""
        async with self.db.connection() as conn:
            has_password = await self.db.q.auth.user_has_password(conn, user_id=user_id)
            pending = await self.db.q.auth.get_pending_email_change(conn, user_id=user_id)
        return {
            "has_password": bool(has_password),
            "pending_email": pending["new_email"] if pending else None,
        }

    # -- sessions ---------------------------------------------------------------------

    async def list_sessions(
        self, user_id: uuid.UUID, current: uuid.UUID
    ) -> list[schemas.SessionInfo]:
        async with self.db.statement() as conn:
            rows = await fetch_all(self.db.q.auth.list_live_sessions, conn, user_id=user_id)
        devices = await device_labels([row["user_agent"] for row in rows])
        return [
            schemas.SessionInfo(
                id=row["id"],
                user_agent=row["user_agent"],
                device=device,
                sign_in_method=row["sign_in_method"],
                created_at=row["created_at"],
                last_seen_at=row["last_seen_at"],
                current=row["id"] == current,
            )
            for row, device in zip(rows, devices, strict=True)
        ]

    @staticmethod
    def _ended(tx: Transaction, session_ids: list[uuid.UUID]) -> None:
        for session_id in session_ids:
            tx.invalidate(key("session", session_id))
            tx.emit(Disconnect.session(session_id))

    async def revoke_session(self, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
        async with self.db.autocommit() as unit:
            ended = await self.db.q.auth.revoke_own_session(
                unit.conn, user_id=user_id, session_id=session_id
            )
            if ended is None:
                raise NotFound("no live session of yours has this id")
            self._ended(unit, [ended])

    async def revoke_other_sessions(self, user_id: uuid.UUID, current: uuid.UUID) -> int:
        async with self.db.autocommit() as unit:
            rows = await fetch_all(
                self.db.q.auth.revoke_other_sessions, unit.conn, user_id=user_id, session_id=current
            )
            self._ended(unit, [row["id"] for row in rows])
        return len(rows)

    # -- password ---------------------------------------------------------------------

    async def _check_current_password(
        self,
        tx: Transaction,
        row: asyncpg.Record,
        password: str | None,
        session_id: uuid.UUID,
        field: str = "current_password",
    ) -> None:
        """An account with a password must give it; one without (signed up with an identity
        provider) has nothing to give, and must have signed in (or re-authenticated with the
        provider) in this session within REAUTH_WINDOW_MINUTES, the window deleting the
        account uses: a borrowed or stolen session must not give itself a password or an
        address of someone else's."""
        if row["password_hash"] is None:
            signed_in = await self.db.q.auth.get_session_authenticated_at(
                tx.conn, session_id=session_id
            )
            minutes = self.settings.reauth_window_minutes
            if signed_in is None or datetime.now(UTC) - signed_in > timedelta(minutes=minutes):
                raise Forbidden(
                    "confirm it is you first: sign in again with your identity provider "
                    f"(Account and security, How you sign in), then do this within {minutes} "
                    "minutes"
                )
            return
        if password is None:
            raise Invalid.field(field, "is required")
        if not await verify_password(row["password_hash"], password):
            raise Invalid.field(field, "is not your current password")

    async def change_password(
        self,
        user_id: uuid.UUID,
        current_session: uuid.UUID,
        body: schemas.PasswordChange,
    ) -> int:
        """Set the password (the first one, for an account without); every other session
        ends. The number of sessions ended."""
        password_hash = await hash_password(body.new_password)
        q = self.db.q.auth
        async with self.db.transaction() as tx:
            row = await q.lock_user_credentials(tx.conn, user_id=user_id)
            await self._check_current_password(tx, row, body.current_password, current_session)
            first = row["password_hash"] is None
            await q.set_password_hash(tx.conn, user_id=user_id, password_hash=password_hash)
            # Whoever knew the old password may have asked for a reset link or an email change
            # to an address of theirs: neither outlives the password.
            await q.expire_user_tokens(tx.conn, user_id=user_id, purpose=RESET_PASSWORD)
            await q.expire_user_tokens(tx.conn, user_id=user_id, purpose=CHANGE_EMAIL)
            await q.mark_session_authenticated(tx.conn, session_id=current_session)
            ended = await fetch_all(
                q.revoke_other_sessions, tx.conn, user_id=user_id, session_id=current_session
            )
            self._ended(tx, [r["id"] for r in ended])
            address = row["email"]
            what = "set" if first else "changed"
            body_text = (
                f"The password of your RizeOS account was {what} just now"
                + (f", and {len(ended)} other sessions were signed out" if ended else "")
                + ".\n\nIf it was not you, reset your password at once at "
                f"{self.settings.public_url}/forgot-password ."
            )
            tx.after_commit(
                lambda: self.mailer.send_later(
                    address, f"Your RizeOS password was {what}", body_text
                )
            )
        return len(ended)

    # -- email ------------------------------------------------------------------------

    async def request_email_change(
        self, user_id: uuid.UUID, session_id: uuid.UUID, body: schemas.EmailChangeRequest
    ) -> schemas.PendingEmailChange:
        new_email = body.new_email.strip()
        q = self.db.q.auth
        async with self.db.transaction() as tx:
            row = await q.lock_user_credentials(tx.conn, user_id=user_id)
            await self._check_current_password(tx, row, body.current_password, session_id)
            if new_email.lower() == row["email"].lower():
                raise Invalid.field("new_email", "is already your address")
            if await q.email_taken(tx.conn, email=new_email):
                raise Conflict("another account uses this email address")
            await q.expire_user_tokens(tx.conn, user_id=user_id, purpose=CHANGE_EMAIL)
            token = new_token()
            ttl_hours = self.settings.email_token_ttl_hours
            await q.insert_email_change_token(
                tx.conn,
                user_id=user_id,
                token_hash=token_hash(token),
                new_email=new_email,
                expires_at=datetime.now(UTC) + timedelta(hours=ttl_hours),
            )
            pending = await q.get_pending_email_change(tx.conn, user_id=user_id)
            old_email = row["email"]
            link = f"{self.settings.public_url}/confirm-email?token={token}"
            confirm = (
                f"Someone asked to make {new_email} the address of the RizeOS account "
                f"{old_email}.\n\nConfirm it by opening {link}\n"
                f'or by sending POST /api/auth/email-change/confirm with {{"token": "{token}"}}.'
                f"\n\nThe link expires in {ttl_hours} hours. If it was not you, ignore this mail."
            )
            notice = (
                f"Someone asked to change the address of your RizeOS account to {new_email}.\n\n"
                "Nothing changes until the link sent to that address is opened; until then "
                "you keep signing in with this one.\n"
                "If it was not you, cancel it and change your password at "
                f"{self.settings.public_url}/settings/account ."
            )
            tx.after_commit(
                lambda: self.mailer.send_later(new_email, "Confirm your new RizeOS email", confirm)
            )
            tx.after_commit(
                lambda: self.mailer.send_later(
                    old_email, "Your RizeOS email address is changing", notice
                )
            )
        return schemas.PendingEmailChange(
            new_email=pending["new_email"],
            created_at=pending["created_at"],
            expires_at=pending["expires_at"],
        )

    async def pending_email_change(self, user_id: uuid.UUID) -> schemas.PendingEmailChange:
        async with self.db.statement() as conn:
            row = await self.db.q.auth.get_pending_email_change(conn, user_id=user_id)
        if row is None:
            raise NotFound("no email change is waiting for confirmation")
        return schemas.PendingEmailChange(
            new_email=row["new_email"], created_at=row["created_at"], expires_at=row["expires_at"]
        )

    async def cancel_email_change(self, user_id: uuid.UUID) -> None:
        async with self.db.statement() as conn:
            rows = await fetch_all(self.db.q.auth.cancel_email_change, conn, user_id=user_id)
        if not rows:
            raise NotFound("no email change is waiting for confirmation")

    async def confirm_email_change(self, token: str) -> schemas.User:
        q = self.db.q.auth
        async with self.db.transaction() as tx:
            found = await q.consume_email_change_token(tx.conn, token_hash=token_hash(token))
            if found is None:
                raise Invalid.field("token", "unknown, already used or expired; ask again")
            user_id, new_email = found["user_id"], found["new_email"]
            old = await q.lock_user_credentials(tx.conn, user_id=user_id)
            if await q.email_taken(tx.conn, email=new_email):
                raise Conflict(
                    "another account took this email address meanwhile; choose another one"
                )
            try:
                row = await q.set_user_email(tx.conn, user_id=user_id, email=new_email)
            except asyncpg.UniqueViolationError:
                raise Conflict(
                    "another account took this email address meanwhile; choose another one"
                ) from None
            if row is None:
                raise Invalid.field("token", "unknown, already used or expired; ask again")
            # Links mailed to the old address (a reset, a verification) stop working with it.
            await q.expire_user_tokens(tx.conn, user_id=user_id, purpose=RESET_PASSWORD)
            await q.expire_user_tokens(tx.conn, user_id=user_id, purpose=VERIFY_EMAIL)
            tx.invalidate(key("user", user_id))
            old_email = old["email"]
            notice = (
                f"The address of your RizeOS account is now {new_email}; sign in with it from "
                "now on. If it was not you, reset your password with the new address, or "
                "contact us."
            )
            tx.after_commit(
                lambda: self.mailer.send_later(
                    old_email, "Your RizeOS email address was changed", notice
                )
            )
            return to_user(row)
