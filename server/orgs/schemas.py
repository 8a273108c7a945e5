"""Request and response bodies for organizations and memberships."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server import fields
from server.auth.schemas import Email
from server.paging import DEFAULT_LIMIT, Limit

OrgType = Literal["company", "institute"]
OrgRole = Literal["admin", "recruiter", "employee", "student", "alumni", "faculty"]
MembershipStatus = Literal["pending", "active", "inactive"]
# Shared string types: one-line names are never blank, and nothing may contain NUL.
Name = fields.Name
FileUrl = fields.FileUrl
ShortUrl = fields.url(255)
Text = fields.LongText
Location = fields.line(255, "a place")
SearchText = Annotated[str, msgspec.Meta(max_length=100, pattern=r"\A[^\x00]*\Z")]
Cursor = Annotated[str, msgspec.Meta(max_length=1024)]
Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    type: OrgType
    description: Text | None = None
    logo_url: FileUrl | None = None
    website_url: ShortUrl | None = None
    location: Location | None = None


class OrganizationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; `null` clears an optional field. `type` and
    `is_verified` are not editable here (is_verified belongs to platform admins)."""

    name: Name | Unset = UNSET
    description: Text | Unset | None = UNSET
    logo_url: FileUrl | Unset | None = UNSET
    website_url: ShortUrl | Unset | None = UNSET
    location: Location | Unset | None = UNSET


class VerificationChange(msgspec.Struct, forbid_unknown_fields=True):
    is_verified: bool


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
    # Whether one of the institute's email domains counts (an active admin has a verified
    # email on it); `is_verified` stays the platform admins' mark.
    domain_verified: bool = False


class OrganizationSearch(msgspec.Struct, forbid_unknown_fields=True):
    type: OrgType | None = None
    q: SearchText | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


class OrganizationPage(msgspec.Struct):
    items: list[Organization]
    next: str | None


class MembershipCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Without `email`/`user_id`: ask to join yourself. With one of them: an organization
    admin invites that user."""

    role_in_org: OrgRole
    email: Email | None = None
    user_id: uuid.UUID | None = None


class Membership(msgspec.Struct):
    id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID
    role_in_org: OrgRole
    status: MembershipStatus
    invited_by: uuid.UUID | None
    start_date: date | None
    end_date: date | None
    created_at: datetime
    updated_at: datetime


class MembershipListQuery(msgspec.Struct, forbid_unknown_fields=True):
    status: MembershipStatus | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


class Member(msgspec.Struct):
    """One row of an organization's member list; `email` is shown to its admins only."""

    id: uuid.UUID
    user_id: uuid.UUID
    email: str | None
    full_name: str | None
    role_in_org: OrgRole
    status: MembershipStatus
    invited_by: uuid.UUID | None
    start_date: date | None
    end_date: date | None
    created_at: datetime


class MemberPage(msgspec.Struct):
    items: list[Member]
    next: str | None


class OrganizationSummary(msgspec.Struct):
    id: uuid.UUID
    name: str
    type: OrgType
    is_verified: bool
    logo_url: str | None
    domain_verified: bool = False


class MyMembership(msgspec.Struct):
    id: uuid.UUID
    organization: OrganizationSummary
    role_in_org: OrgRole
    status: MembershipStatus
    invited_by: uuid.UUID | None
    start_date: date | None
    end_date: date | None
    created_at: datetime


class MyMembershipPage(msgspec.Struct):
    items: list[MyMembership]
    next: str | None


# Institute email domains (issue 15). A domain is a host name: letters, digits and hyphens in
# dot-separated labels; the service lower-cases it and checks it against the public suffix
# list and the free-mail list.
DomainName = Annotated[str, msgspec.Meta(min_length=1, max_length=253)]


class DomainCreate(msgspec.Struct, forbid_unknown_fields=True):
    domain: DomainName


class PageQuery(msgspec.Struct, forbid_unknown_fields=True):
    """A plain keyset-paged list (domains, an institute's students)."""

    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


class InstituteDomain(msgspec.Struct):
    """One of an institute's email domains. `verified`: it counts now, because
    `verified_by`, an active admin of the institute, has a verified email on it."""

    id: uuid.UUID
    organization_id: uuid.UUID
    domain: str
    verified: bool
    verified_by: uuid.UUID | None
    created_at: datetime


class DomainPage(msgspec.Struct):
    items: list[InstituteDomain]
    next: str | None


class VerifiedInstitute(msgspec.Struct):
    """An institute a person is an active student or alumnus of, and that is verified (a
    domain that counts, or the platform's mark): the "Verified student of X" badge. Made by
    the stored function verified_institutes(user_id) (sql/orgs/functions.sql)."""

    id: uuid.UUID
    name: str
    logo_url: str | None
    role: Literal["student", "alumni"] = "student"


class InstituteOutcomes(msgspec.Struct):
    """An institute's public figures: active students and alumni, how many applied to a job,
    how many were hired."""

    organization_id: uuid.UUID
    students: int
    applied: int
    hired: int


class InstituteStudent(msgspec.Struct):
    membership_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str | None
    headline: str | None
    avatar_url: str | None
    role_in_org: OrgRole
    start_date: date | None
    created_at: datetime
    applications: int
    hired: bool


class InstituteStudentPage(msgspec.Struct):
    items: list[InstituteStudent]
    next: str | None
