"""Sign-in flows with identity providers, and the identities linked to accounts.

The rules (issue 17, docs/privacy.md):
* An identity is the provider's stable subject: once linked, a sign-in finds the account by
  (provider, subject) whatever email the provider now reports.
* A first sign-in links an existing account only when the provider says the email is
  verified and it matches an account whose email is verified too; an unverified email never
  takes over an account (409, nothing changed). Otherwise a new person gets an account with
  no password, verified only if the provider verified the email, and no roles until they
  choose them.
* A signed-in person may link a provider from settings (intent ``link``) or prove who they
  are again with it (``reauth``); a flow is single-use, lives ``FLOW_TTL``, and only the
  browser that started it may finish it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.auth import schemas
from server.auth.oidc.client import OidcClients, Person, ProviderError, ProviderUnreachable
from server.auth.oidc.schemas import Identities, Identity
from server.auth.service import AccountService, NewSession, to_user
from server.auth.tokens import token_hash
from server.config import OidcProvider, Settings
from server.db import Database, Transaction, fetch_all
from server.errors import BadGateway, BadRequest, Conflict, Forbidden, Invalid, NotFound
from server.invalidation import key
from server.mail import Mailer

FLOW_TTL = timedelta(minutes=10)
INTENTS = ("sign_in", "link", "reauth")


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the browser goes after a callback, and the new session if one started."""

    location: str
    session: NewSession | None = None


class OidcService:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer, clients: OidcClients):
        self.db = db
        self.settings = settings
        self.accounts = AccountService(db, settings, mailer)
        self.clients = clients

    def provider(self, name: str) -> OidcProvider:
        provider = self.settings.oidc_provider(name)
        if provider is None:
            raise NotFound(f"no identity provider called {name!r} is configured here")
        return provider

    def redirect_uri(self, provider: OidcProvider) -> str:
        return f"{self.settings.public_url}/api/auth/oidc/{provider.name}/callback"

    async def start(
        self,
        name: str,
        intent: str,
        return_to: str | None,
        browser: str,
        user_id: uuid.UUID | None,
        session_id: uuid.UUID | None,
    ) -> str:
        """Record a flow and say where to send the browser."""
        provider = self.provider(name)
        if intent == "sign_in":
            user_id = session_id = None
        try:
            grant = await self.clients.authorization(
                provider, self.redirect_uri(provider), afresh=intent == "reauth"
            )
        except ProviderError as exc:
            raise BadGateway(f"{provider.label} cannot be reached: {exc}") from exc
        async with self.db.transaction() as tx:
            q = self.db.q.auth
            await q.delete_stale_oidc_logins(tx.conn)
            await q.insert_oidc_login(
                tx.conn,
                state_hash=token_hash(grant.state),
                provider=provider.name,
                intent=intent,
                user_id=user_id,
                session_id=session_id,
                browser_hash=token_hash(browser),
                nonce=grant.nonce,
                code_verifier=grant.code_verifier,
                return_to=return_to,
                expires_at=datetime.now(UTC) + FLOW_TTL,
            )
        return grant.url

    async def abandon(self, name: str, state: str | None, browser: str | None) -> bool:
        """End the flow a provider's error answer names; whether it was a live flow of this
        browser (only then may the provider's own words be shown)."""
        if not state or not browser:
            return False
        async with self.db.autocommit() as unit:
            flow = await self.db.q.auth.consume_oidc_login(
                unit.conn,
                state_hash=token_hash(state),
                provider=name,
                browser_hash=token_hash(browser),
            )
        return flow is not None

    async def callback(
        self,
        name: str,
        state: str,
        code: str,
        browser: str | None,
        current_session: uuid.UUID | None,
        user_agent: str | None,
    ) -> Outcome:
        provider = self.provider(name)
        if not browser:
            raise BadRequest(
                "this browser did not start the sign-in (or blocks cookies): start again"
            )
        async with self.db.autocommit() as unit:
            flow = await self.db.q.auth.consume_oidc_login(
                unit.conn,
                state_hash=token_hash(state),
                provider=provider.name,
                browser_hash=token_hash(browser),
            )
        if flow is None:
            raise BadRequest(
                "this sign-in is unknown, already used, expired or was started in another "
                "browser: start again"
            )
        try:
            person = await self.clients.person(
                provider, code, self.redirect_uri(provider), flow["code_verifier"], flow["nonce"]
            )
        except ProviderUnreachable as exc:
            raise BadGateway(
                f"{provider.label} cannot be reached: {exc}; try again in a moment"
            ) from exc
        except ProviderError as exc:
            raise BadRequest(f"signing in with {provider.label} failed: {exc}") from exc
        if flow["intent"] == "sign_in":
            return await self._sign_in(provider, person, flow["return_to"], user_agent)
        if flow["session_id"] != current_session:
            raise Forbidden(
                f"you are no longer signed in as the account that asked to use {provider.label}"
            )
        if flow["intent"] == "link":
            await self._link(provider, person, flow["user_id"])
            return Outcome(f"/settings/account?linked={provider.name}")
        await self._reauth(provider, person, flow["user_id"], flow["session_id"])
        return Outcome(flow["return_to"] or "/settings/account")

    async def _sign_in(
        self, provider: OidcProvider, person: Person, return_to: str | None, user_agent: str | None
    ) -> Outcome:
        q = self.db.q.auth
        method = f"oidc:{provider.name}"
        async with self.db.transaction() as tx:
            known = await q.get_identity(tx.conn, provider=provider.name, subject=person.subject)
            if known is not None:
                await q.touch_identity(
                    tx.conn,
                    provider=provider.name,
                    subject=person.subject,
                    email=person.email,
                    email_verified=person.email_verified,
                )
                row = await q.get_user(tx.conn, user_id=known["user_id"])
                if row is None:  # the account was deleted since the identity was read
                    raise Conflict("this account was just deleted: sign in again to start afresh")
                user = to_user(row)
                session = await self.accounts._start_session(tx, user, user_agent, method)
                return Outcome(return_to or "/welcome", session)
            if person.email is None or schemas.undeliverable(person.email):
                raise Invalid(
                    f"{provider.label} did not share an email address that receives mail: "
                    "allow it, or sign up with email and password"
                )
            existing = await q.get_user_by_email(tx.conn, email=person.email)
            if existing is not None:
                if not (person.email_verified and existing["is_verified"]):
                    raise Conflict(
                        "an account with this email exists: sign in with your password, then "
                        f"link {provider.label} in Account settings"
                    )
                user = to_user(existing)
                await self._insert_identity(tx, user.id, provider, person)
                session = await self.accounts._start_session(tx, user, user_agent, method)
                return Outcome(return_to or "/welcome", session)
            row = await q.insert_identity_user(
                tx.conn, email=person.email, is_verified=person.email_verified
            )
            if row is None:  # someone took the address a moment ago
                raise Conflict("an account with this email was just created: sign in again")
            user = to_user(row)
            await self.db.q.profiles.insert_empty_profile(
                tx.conn, user_id=user.id, full_name=person.name
            )
            await self._insert_identity(tx, user.id, provider, person)
            session = await self.accounts._start_session(tx, user, user_agent, method)
            return Outcome("/welcome", session)

    async def _insert_identity(
        self, tx: Transaction, user_id: uuid.UUID, provider: OidcProvider, person: Person
    ) -> None:
        mine = await self.db.q.auth.get_user_identity(
            tx.conn, user_id=user_id, provider=provider.name
        )
        if mine is not None:
            raise Conflict(
                f"this account is linked to another {provider.label} account: unlink it in "
                "Account settings first"
            )
        inserted = await self.db.q.auth.insert_identity(
            tx.conn,
            user_id=user_id,
            provider=provider.name,
            subject=person.subject,
            email=person.email,
            email_verified=person.email_verified,
        )
        if inserted is None:
            raise Conflict(f"this {provider.label} account was linked a moment ago: sign in again")

    async def _link(self, provider: OidcProvider, person: Person, user_id: uuid.UUID) -> None:
        q = self.db.q.auth
        async with self.db.transaction() as tx:
            await q.lock_user_sign_in_ways(tx.conn, user_id=user_id)
            known = await q.get_identity(tx.conn, provider=provider.name, subject=person.subject)
            if known is not None and known["user_id"] != user_id:
                raise Conflict(
                    f"this {provider.label} account is already linked to another RizeOS account"
                )
            if known is None:
                await self._insert_identity(tx, user_id, provider, person)

    async def _reauth(
        self, provider: OidcProvider, person: Person, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> None:
        q = self.db.q.auth
        async with self.db.transaction() as tx:
            known = await q.get_identity(tx.conn, provider=provider.name, subject=person.subject)
            if known is None or known["user_id"] != user_id:
                raise Forbidden(
                    f"that {provider.label} account is not the one linked to your account"
                )
            await q.mark_session_authenticated(tx.conn, session_id=session_id)

    async def identities(self, user_id: uuid.UUID) -> Identities:
        async with self.db.connection() as conn:
            rows = await fetch_all(self.db.q.auth.list_user_identities, conn, user_id=user_id)
            ways = await self.db.q.auth.get_user_sign_in_ways(conn, user_id=user_id)
        items = []
        for row in rows:
            provider = self.settings.oidc_provider(row["provider"])
            items.append(
                Identity(
                    provider=row["provider"],
                    label=provider.label if provider else row["provider"].title(),
                    email=row["email"],
                    email_verified=row["email_verified"],
                    created_at=row["created_at"],
                    last_used_at=row["last_used_at"],
                )
            )
        return Identities(items=items, has_password=ways["has_password"])

    async def unlink(self, user_id: uuid.UUID, name: str) -> None:
        q = self.db.q.auth
        async with self.db.transaction() as tx:
            ways = await q.lock_user_sign_in_ways(tx.conn, user_id=user_id)
            mine = await q.get_user_identity(tx.conn, user_id=user_id, provider=name)
            if mine is None:
                raise NotFound(f"your account is not linked to {name!r}")
            # Only identities with a provider offered here are ways to sign in: one whose
            # provider was removed from the configuration signs nobody in.
            others = [
                row["provider"]
                for row in await fetch_all(q.list_user_identities, tx.conn, user_id=user_id)
                if row["provider"] != name and self.settings.oidc_provider(row["provider"])
            ]
            if not ways["has_password"] and not others and self.settings.oidc_provider(name):
                raise Conflict(
                    "this is your only way to sign in: set a password or link another "
                    "provider first"
                )
            await q.delete_user_identity(tx.conn, user_id=user_id, provider=name)

    async def choose_first_roles(self, user_id: uuid.UUID, roles: list[str]) -> schemas.User:
        async with self.db.transaction() as tx:
            row = await self.db.q.auth.set_first_roles(
                tx.conn, user_id=user_id, roles=sorted(set(roles))
            )
            if row is None:
                raise Conflict("you have already chosen your roles: add more in your profile")
            tx.invalidate(key("user", user_id))
            return to_user(row)
