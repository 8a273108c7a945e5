"""Request and response bodies for organizations and memberships."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

OrgType = Literal["company", "institute"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Url = Annotated[str, msgspec.Meta(max_length=1024, pattern=r"^https?://[^\s]+$")]
ShortUrl = Annotated[str, msgspec.Meta(max_length=255, pattern=r"^https?://[^\s]+$")]
Text = Annotated[str, msgspec.Meta(max_length=10_000)]


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    type: OrgType
    description: Text | None = None
    logo_url: Url | None = None
    website_url: ShortUrl | None = None
    location: Annotated[str, msgspec.Meta(max_length=255)] | None = None


class Organization(msgspec.Struct):
    id: uuid.UUID
    name: str
    type: OrgType
    description: str | None
    logo_url: str | None
    website_url: str | None
    location: str | None
    is_verified: bool
    created_at: datetime
    updated_at: datetime
