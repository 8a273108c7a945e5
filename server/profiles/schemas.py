"""Request and response bodies for profiles.

The JSONB columns (skills, experience, education, portfolio) are documents whose shape the
API owns: every write goes through these Structs, so every read can trust them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from server.fields import FileUrl, LongText, Name, ShortText, SkillName, Url
from server.orgs.schemas import VerifiedInstitute

MAX_SKILLS = 50
MAX_EXPERIENCE = 30
MAX_EDUCATION = 20
MAX_PORTFOLIO = 50

Year = Annotated[int, msgspec.Meta(ge=1900, le=2100)]


class ExperienceItem(msgspec.Struct, forbid_unknown_fields=True):
    title: Name
    company: Name
    organization_id: uuid.UUID | None = None
    start_date: date | None = None
    end_date: date | None = None
    description: ShortText | None = None


class EducationItem(msgspec.Struct, forbid_unknown_fields=True):
    institution: Name
    organization_id: uuid.UUID | None = None
    degree: Name | None = None
    field: Name | None = None
    start_year: Year | None = None
    end_year: Year | None = None


class PortfolioItem(msgspec.Struct, forbid_unknown_fields=True):
    title: Name
    description: ShortText | None = None
    url: Url | None = None  # a link to the project itself
    image_url: FileUrl | None = None
    video_url: FileUrl | None = None


class SkillsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Users write only what they claim; `verified` is set by the platform, never by them."""

    claimed: Annotated[list[SkillName], msgspec.Meta(max_length=MAX_SKILLS)]


class ProfileUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A partial update: absent fields stay as they are, null clears a text field, and a
    list replaces the stored list (send [] to empty it)."""

    full_name: Name | UnsetType | None = UNSET
    headline: Name | UnsetType | None = UNSET
    bio: LongText | UnsetType | None = UNSET
    resume_url: FileUrl | UnsetType | None = UNSET
    avatar_url: FileUrl | UnsetType | None = UNSET
    skills: SkillsUpdate | UnsetType = UNSET
    experience: (
        Annotated[list[ExperienceItem], msgspec.Meta(max_length=MAX_EXPERIENCE)] | UnsetType
    ) = UNSET
    education: (
        Annotated[list[EducationItem], msgspec.Meta(max_length=MAX_EDUCATION)] | UnsetType
    ) = UNSET
    portfolio: (
        Annotated[list[PortfolioItem], msgspec.Meta(max_length=MAX_PORTFOLIO)] | UnsetType
    ) = UNSET


class Skills(msgspec.Struct):
    claimed: list[str]
    verified: list[str]


class Profile(msgspec.Struct, kw_only=True):
    """A profile as one viewer may see it. `resume_url` is present only for its owner and
    for hiring members of companies the user has applied to; `completeness` only for its
    owner."""

    user_id: uuid.UUID
    roles: list[str]
    full_name: str | None
    headline: str | None
    bio: str | None
    avatar_url: str | None
    skills: Skills
    experience: list[ExperienceItem]
    education: list[EducationItem]
    portfolio: list[PortfolioItem]
    updated_at: datetime
    resume_url: str | UnsetType | None = UNSET
    completeness: Completeness | UnsetType = UNSET
    # The "Verified student of X" badge: institutes where the person is an active student or
    # alumnus and which are verified (sql/orgs/functions.sql verified_institutes()).
    verified_institutes: list[VerifiedInstitute] = msgspec.field(default_factory=list)


class MissingPart(msgspec.Struct):
    field: str  # the profile field to fill: "avatar_url", "skills", "experience", ...
    hint: str  # what to do, for the person: "Add a photo"


class Completeness(msgspec.Struct):
    """How much of a profile is filled in (the owner's hint): `percent` from 0 to 100, and what is
    still missing, most useful first."""

    percent: int
    missing: list[MissingPart]


class PersonCard(msgspec.Struct):
    user_id: uuid.UUID
    full_name: str | None
    headline: str | None
    avatar_url: str | None
