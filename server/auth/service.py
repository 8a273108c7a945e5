"""Accounts: sign-up, log-in/out, email verification, password reset, self-managed roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from server.auth import schemas
from server.auth.tokens import hash_password, new_token, token_hash, verify_password
from server.config import Settings
from server.db import Database, Transaction
from server.errors import Conflict, Invalid, NotFound, Unauthorized
from server.invalidation import key
from server.mail import Mailer
from server.realtime.contract import Disconnect

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 - a token purpose, not a password


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    session_id: uuid.UUID
    expires_at: datetime
    user: schemas.User


async def hold_live_account(db: Database, tx: Transaction, user_id: uuid.UUID) -> None:
    """Share-lock the account for the rest of ``tx``, or refuse when it is deleted. Whatever
    a person creates (an order, an application, a data export) takes this first: a deletion
    in progress holds the account, so a request authenticated just before it commits waits
    and then finds no one, instead of leaving a new row behind a deleted account."""
    if await db.q.auth.lock_live_user(tx.conn, user_id=user_id) is None:
        raise Unauthorized("your account has been deleted")


def to_user(row: asyncpg.Record) -> schemas.User:
    return msgspec.convert(dict(row), schemas.User)


@dataclass(frozen=True, slots=True)
class AccountLabel:
    """How the pages name the logged-in user: email, display name and photo (if given)."""

    email: str
    name: str | None
    avatar_url: str | None = None


async def account_label(db: Database, user_id: uuid.UUID) -> AccountLabel:
    async with db.connection() as conn:
        row = await db.q.auth.get_account_label(conn, user_id=user_id)
    return AccountLabel(email=row["email"], name=row["full_name"], avatar_url=row["avatar_url"])


class AccountService:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer):
        self.db = db
        self.settings = settings
        self.mailer = mailer

    async def _issue_email_token(self, tx: Transaction, user_id: uuid.UUID, purpose: str) -> str:
        token = new_token()
        ttl = (
            timedelta(hours=self.settings.email_token_ttl_hours)
            if purpose == VERIFY_EMAIL
            else timedelta(minutes=self.settings.password_reset_ttl_minutes)
        )
        q = self.db.q.auth
        await q.expire_user_tokens(tx.conn, user_id=user_id, purpose=purpose)
        await q.insert_email_token(
            tx.conn,
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash(token),
            expires_at=datetime.now(UTC) + ttl,
        )
        return token

    def _mail_verification(self, tx: Transaction, email: str, token: str) -> None:
        link = f"{self.settings.public_url}/verify-email?token={token}"
        body = (
            "Welcome to RizeOS.\n\n"
            f"Confirm your email address by opening {link}\n"
            f'or by sending POST /api/auth/verify-email with {{"token": "{token}"}}.\n\n'
            f"The link expires in {self.settings.email_token_ttl_hours} hours."
        )
        tx.after_commit(lambda: self.mailer.send_later(email, "Confirm your RizeOS email", body))

    async def _start_session(
        self,
        tx: Transaction,
        user: schemas.User,
        user_agent: str | None,
        method: str = "password",
    ) -> NewSession:
        """``method``: how the person signed in, shown in their sessions list: ``password``
        or ``oidc:<provider>``."""
        token = new_token()
        row = await self.db.q.auth.insert_session(
            tx.conn,
            user_id=user.id,
            token_hash=token_hash(token),
            user_agent=(user_agent or "")[:512] or None,
            sign_in_method=method,
            expires_at=datetime.now(UTC) + timedelta(days=self.settings.session_ttl_days),
        )
        return NewSession(token, row["id"], row["expires_at"], user)

    async def sign_up(self, body: schemas.SignupRequest, user_agent: str | None) -> NewSession:
        password_hash = await hash_password(body.password)
        roles = sorted(set(body.roles))
        async with self.db.transaction() as tx:
            row = await self.db.q.auth.insert_user(
                tx.conn, email=body.email.strip(), password_hash=password_hash, roles=roles
            )
            if row is None:
                raise Conflict("an account with this email already exists; log in instead")
            user = to_user(row)
            await self.db.q.profiles.insert_empty_profile(
                tx.conn, user_id=user.id, full_name=body.full_name
            )
            token = await self._issue_email_token(tx, user.id, VERIFY_EMAIL)
            self._mail_verification(tx, user.email, token)
            return await self._start_session(tx, user, user_agent)

    async def log_in(self, body: schemas.LoginRequest, user_agent: str | None) -> NewSession:
        async with self.db.connection() as conn:
            row = await self.db.q.auth.get_user_for_login(conn, email=body.email.strip())
        if not await verify_password(row["password_hash"] if row else None, body.password):
            raise Unauthorized("wrong email or password")
        assert row is not None
        async with self.db.transaction() as tx:
            return await self._start_session(tx, to_user(row), user_agent)

    async def log_out(self, session_id: uuid.UUID) -> None:
        """Revoke the session; once that is committed its open sockets close too, on every
        instance."""
        async with self.db.autocommit() as unit:
            await self.db.q.auth.revoke_session(unit.conn, session_id=session_id)
            unit.invalidate(key("session", session_id))
            unit.emit(Disconnect.session(session_id))

    async def verify_email(self, token: str) -> schemas.User:
        async with self.db.transaction() as tx:
            user_id = await self.db.q.auth.consume_email_token(
                tx.conn, token_hash=token_hash(token), purpose=VERIFY_EMAIL
            )
            if user_id is None:
                raise Invalid.field("token", "unknown, already used or expired; ask for a new one")
            tx.invalidate(key("user", user_id))
            return to_user(await self.db.q.auth.set_user_verified(tx.conn, user_id=user_id))

    async def resend_verification(self, user_id: uuid.UUID) -> None:
        async with self.db.transaction() as tx:
            user = to_user(await self.db.q.auth.lock_user(tx.conn, user_id=user_id))
            if user.is_verified:
                raise Conflict("this email address is already verified")
            token = await self._issue_email_token(tx, user.id, VERIFY_EMAIL)
            self._mail_verification(tx, user.email, token)

    async def request_password_reset(self, email: str) -> None:
        """Mail a reset link if the account exists; say nothing either way (no enumeration)."""
        async with self.db.transaction() as tx:
            row = await self.db.q.auth.get_user_for_login(tx.conn, email=email.strip())
            if row is None:
                return
            # Serialise with concurrent requests so retiring older tokens sees them all.
            await self.db.q.auth.lock_user(tx.conn, user_id=row["id"])
            token = await self._issue_email_token(tx, row["id"], RESET_PASSWORD)
            link = f"{self.settings.public_url}/reset-password?token={token}"
            body = (
                "Someone asked to reset the password of your RizeOS account.\n\n"
                f"Choose a new password at {link}\n"
                "or send POST /api/auth/password-reset/confirm with "
                f'{{"token": "{token}", "password": "..."}}.\n\n'
                f"The link expires in {self.settings.password_reset_ttl_minutes} minutes. "
                "If it was not you, ignore this mail."
            )
            address = row["email"]
            tx.after_commit(
                lambda: self.mailer.send_later(address, "Reset your RizeOS password", body)
            )

    async def reset_password(self, token: str, password: str) -> uuid.UUID:
        """Set a new password and revoke every session; the user whose password it was."""
        password_hash = await hash_password(password)
        async with self.db.transaction() as tx:
            q = self.db.q.auth
            user_id = await q.consume_email_token(
                tx.conn, token_hash=token_hash(token), purpose=RESET_PASSWORD
            )
            if user_id is None:
                raise Invalid.field("token", "unknown, already used or expired; ask for a new one")
            await q.set_password_hash(tx.conn, user_id=user_id, password_hash=password_hash)
            # Whoever knew the old password is logged out everywhere, sockets included, and an
            # email change they asked for (to an address of theirs) is void.
            await q.revoke_user_sessions(tx.conn, user_id=user_id)
            await q.expire_user_tokens(tx.conn, user_id=user_id, purpose="change_email")
            tx.invalidate(key("user", user_id))
            tx.emit(Disconnect.user(user_id))
        return user_id

    async def add_role(self, user_id: uuid.UUID, role: str) -> schemas.User:
        async with self.db.transaction() as tx:
            user = to_user(await self.db.q.auth.lock_user(tx.conn, user_id=user_id))
            if role in user.roles:
                return user
            tx.invalidate(key("user", user_id))
            return to_user(await self.db.q.auth.add_user_role(tx.conn, user_id=user_id, role=role))

    async def remove_role(self, user_id: uuid.UUID, role: str) -> schemas.User:
        async with self.db.transaction() as tx:
            user = to_user(await self.db.q.auth.lock_user(tx.conn, user_id=user_id))
            if role not in user.roles:
                raise NotFound(f"you do not have the {role} role")
            if not [r for r in user.roles if r not in (role, "admin")]:
                raise Conflict("keep at least one of student, professional, employer, freelancer")
            tx.invalidate(key("user", user_id))
            row = await self.db.q.auth.remove_user_role(tx.conn, user_id=user_id, role=role)
            return to_user(row)

    async def create_admin(self, email: str, password: str | None) -> schemas.User:
        password_hash = await hash_password(password) if password else None
        async with self.db.transaction() as tx:
            row = await self.db.q.auth.upsert_admin(
                tx.conn, email=email.strip(), password_hash=password_hash
            )
            user = to_user(row)
            tx.invalidate(key("user", user.id))
            await self.db.q.profiles.ensure_profile(tx.conn, user_id=user.id)
            return user
