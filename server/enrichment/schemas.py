"""Request and response bodies for profile enrichment (``/api/ai/...``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

import msgspec

from server.fields import Url

EnrichmentStatus = Literal["queued", "running", "succeeded", "failed"]


class ProcessProfileRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The design document's AI hand-over: whose profile, and which resume (default: the one
    on the profile)."""

    user_id: uuid.UUID
    resume_url: Url | None = None


class ExtractedExperience(msgspec.Struct):
    title: str
    company: str
    start_date: date | None = None
    end_date: date | None = None
    organization_id: uuid.UUID | None = None


class ExtractedEducation(msgspec.Struct):
    institution: str
    degree: str | None = None
    field: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    organization_id: uuid.UUID | None = None


class ExtractedSkill(msgspec.Struct):
    name: str
    source: Literal["resume"] = "resume"


class EnrichmentResult(msgspec.Struct):
    """What the worker read from the resume, and what of it was new to the profile."""

    skills: list[ExtractedSkill]
    experience: list[ExtractedExperience]
    education: list[ExtractedEducation]
    links: list[str]
    skills_added: list[str]
    experience_added: int
    education_added: int
    links_added: int


class Enrichment(msgspec.Struct):
    id: uuid.UUID
    user_id: uuid.UUID
    resume_url: str
    status: EnrichmentStatus
    attempts: int
    error: str | None
    result: EnrichmentResult | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
