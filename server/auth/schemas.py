"""Request and response bodies for accounts and sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server import fields

_NOT_IN_EMAIL = r"@\s\x00-\x1f\x7f"
# Addresses under the reserved `.invalid` top-level domain (RFC 2606) receive no mail, and
# deleted accounts keep `deleted+<id>@deleted.invalid` (sql/deletion/deletion.sql
# tombstone_user). Account ids are public, so a tombstone's address is known in advance; one
# taken first by a sign-up, an email change or an invitation made that deletion fail on the
# unique address. ``undeliverable`` is the same rule for addresses not decoded from a body
# (an identity provider's).
UNDELIVERABLE_TLD = "invalid"
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=255,
        pattern=(
            rf"\A(?!(?i:.*\.{UNDELIVERABLE_TLD}\.?)\Z)"
            rf"[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}]+\.[^{_NOT_IN_EMAIL}]+\Z"
        ),
        description=(
            f"an email address (not under .{UNDELIVERABLE_TLD}: it receives no mail, and "
            "deleted accounts keep such addresses)"
        ),
    ),
]


def undeliverable(email: str) -> bool:
    return email.strip().rstrip(".").lower().endswith("." + UNDELIVERABLE_TLD)


Password = Annotated[str, msgspec.Meta(min_length=10, max_length=256)]
SelfRole = Literal["student", "professional", "employer", "freelancer"]
Role = Literal["student", "professional", "employer", "freelancer", "admin"]
Token = Annotated[str, msgspec.Meta(min_length=16, max_length=256)]


class SignupRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    roles: Annotated[list[SelfRole], msgspec.Meta(min_length=1, max_length=4)]
    full_name: fields.Name | None = None


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class User(msgspec.Struct):
    id: uuid.UUID
    email: str
    roles: list[Role]
    is_verified: bool
    created_at: datetime


class Session(msgspec.Struct):
    token: str
    csrf_token: str
    expires_at: datetime
    user: User


class Me(msgspec.Struct):
    user: User
    csrf_token: str | None = None


class VerifyEmailRequest(msgspec.Struct, forbid_unknown_fields=True):
    token: Token


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: Token
    password: Password


class RoleChange(msgspec.Struct, forbid_unknown_fields=True):
    role: SelfRole


class Accepted(msgspec.Struct):
    detail: str


class SessionInfo(msgspec.Struct):
    """One of your live sessions, as the sessions list shows it."""

    id: uuid.UUID
    user_agent: str | None
    device: str  # "Chrome on Linux", from the user agent
    sign_in_method: str  # "password" or "oidc:<provider>"
    created_at: datetime
    last_seen_at: datetime  # at most SESSION_SEEN_INTERVAL_SECONDS (5 min) behind
    current: bool  # the session making this request


class SessionList(msgspec.Struct):
    items: list[SessionInfo]


class Revoked(msgspec.Struct):
    revoked: int  # sessions ended


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    new_password: Password
    # Required when the account has a password; an account without one sets its first.
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)] | None = None


class EmailChangeRequest(msgspec.Struct, forbid_unknown_fields=True):
    new_email: Email
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)] | None = None


class EmailChangeConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: Token


class PendingEmailChange(msgspec.Struct):
    new_email: str
    created_at: datetime
    expires_at: datetime
