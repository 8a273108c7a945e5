"""Request and response bodies for re-authentication and account deletion."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class ReauthenticateRequest(msgspec.Struct, forbid_unknown_fields=True):
    password: Password


class Reauthenticated(msgspec.Struct):
    authenticated_at: datetime
    valid_until: datetime  # DELETE /api/me accepts this session without a password until then


class DeleteAccountRequest(msgspec.Struct, forbid_unknown_fields=True):
    confirm: Annotated[
        str,
        msgspec.Meta(max_length=255, description="the account's email address, typed to confirm"),
    ]
    password: Password | None = None


class OrganizationRef(msgspec.Struct):
    id: uuid.UUID
    name: str


class OpenOrder(msgspec.Struct):
    id: uuid.UUID
    gig_title: str
    status: str
    as_buyer: bool


class DeletionCheck(msgspec.Struct):
    """What the danger zone needs: how to confirm, and what stands in the way."""

    email: str
    has_password: bool
    providers: list[str]  # identity providers linked: "confirm with <provider>" re-authenticates
    reauthenticated_until: datetime | None  # a password-less account may delete until then
    last_admin_of: list[OrganizationRef]  # hand these over first
    open_orders: list[OpenOrder]  # finish or cancel these first
