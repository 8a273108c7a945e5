"""Request and response bodies for identity providers and linked identities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.auth.schemas import SelfRole


class Provider(msgspec.Struct):
    name: str
    label: str


class Providers(msgspec.Struct):
    items: list[Provider]


class StartQuery(msgspec.Struct, forbid_unknown_fields=True):
    intent: Literal["sign_in", "link", "reauth"] = "sign_in"
    next: Annotated[str, msgspec.Meta(max_length=512)] | None = None


class CallbackQuery(msgspec.Struct):
    state: Annotated[str, msgspec.Meta(max_length=512)] | None = None
    code: Annotated[str, msgspec.Meta(max_length=4096)] | None = None
    error: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    error_description: Annotated[str, msgspec.Meta(max_length=1024)] | None = None


class Identity(msgspec.Struct):
    provider: str
    label: str
    email: str | None
    email_verified: bool
    created_at: datetime
    last_used_at: datetime


class Identities(msgspec.Struct):
    items: list[Identity]
    has_password: bool


class FirstRoles(msgspec.Struct, forbid_unknown_fields=True):
    roles: Annotated[list[SelfRole], msgspec.Meta(min_length=1, max_length=4)]
