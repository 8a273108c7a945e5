"""Request and response bodies for accounts and sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server import fields

_NOT_IN_EMAIL = r"@\s\x00-\x1f\x7f"
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=255,
        pattern=rf"\A[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}]+\.[^{_NOT_IN_EMAIL}]+\Z",
        description="an email address",
    ),
]
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
