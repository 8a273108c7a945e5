"""Profiles: who may see which fields, and validated partial updates."""

from __future__ import annotations

import uuid
from typing import TypeVar

import msgspec
from msgspec import UNSET

from server.db import Database, fetch_all
from server.enrichment.worker import enqueue as enqueue_enrichment
from server.errors import FieldError, Forbidden, Invalid, NotFound
from server.fields import clean, normalize_skills
from server.orgs.access import HIRE
from server.orgs.schemas import VerifiedInstitute
from server.profiles import schemas
from server.profiles.completeness import completeness
from server.uploads.refs import FileRef, require_uploads

S = TypeVar("S", bound=msgspec.Struct)

# The PATCH fields, in the order update_profile takes them.
UPDATABLE = (
    "full_name",
    "headline",
    "bio",
    "resume_url",
    "avatar_url",
    "skills",
    "experience",
    "education",
    "portfolio",
)
# Its value parameters: `skills` arrives as the `claimed` list alone.
VALUE_PARAMS = tuple("claimed" if name == "skills" else name for name in UPDATABLE)


def tidy(item: S) -> S:
    """Trim every string field of a JSONB item; an optional one left empty becomes null."""
    changes = {
        name: clean(value)
        for name in item.__struct_fields__
        if isinstance(value := getattr(item, name), str)
    }
    return msgspec.structs.replace(item, **changes)


def date_order_errors(body: schemas.ProfileUpdate) -> list[FieldError]:
    errors = []
    if body.experience is not UNSET:
        for i, job in enumerate(body.experience):
            if job.start_date and job.end_date and job.end_date < job.start_date:
                errors.append(
                    FieldError(
                        field=f"body.experience[{i}].end_date",
                        message="must not be before start_date",
                    )
                )
    if body.education is not UNSET:
        for i, school in enumerate(body.education):
            if school.start_year and school.end_year and school.end_year < school.start_year:
                errors.append(
                    FieldError(
                        field=f"body.education[{i}].end_year",
                        message="must not be before start_year",
                    )
                )
    return errors


def linked_organizations(body: schemas.ProfileUpdate) -> dict[uuid.UUID, str]:
    """Each organization an experience or education item links to, with its first field."""
    links: dict[uuid.UUID, str] = {}
    for section in ("experience", "education"):
        items = getattr(body, section)
        if items is UNSET:
            continue
        for i, item in enumerate(items):
            if item.organization_id is not None:
                links.setdefault(item.organization_id, f"body.{section}[{i}].organization_id")
    return links


def file_refs(body: schemas.ProfileUpdate) -> list[FileRef]:
    """The resume, the photo and the portfolio's image and video are uploaded files; a
    portfolio item's `url` is a link to the project itself and stays any http(s) URL."""
    refs = []
    if isinstance(body.resume_url, str):
        refs.append(FileRef("body.resume_url", body.resume_url.strip(), "resume"))
    if isinstance(body.avatar_url, str):
        refs.append(FileRef("body.avatar_url", body.avatar_url.strip(), "avatar", ("image",)))
    if body.portfolio is not UNSET:
        for i, item in enumerate(body.portfolio):
            for name, kind in (("image_url", "image"), ("video_url", "video")):
                url = clean(getattr(item, name))
                if url:
                    refs.append(FileRef(f"body.portfolio[{i}].{name}", url, "portfolio", (kind,)))
    return refs


def stored_files(row) -> dict[str, str]:
    """File references the profile already holds, with the purpose each was checked for."""
    urls = {row[name]: purpose for name, purpose in STORED_FILE_FIELDS if row[name]}
    for item in row["portfolio"]:
        urls.update(
            (item[name], "portfolio") for name in ("image_url", "video_url") if item.get(name)
        )
    return urls


STORED_FILE_FIELDS = (("resume_url", "resume"), ("avatar_url", "avatar"))


def kept_files(refs: list[FileRef], stored: dict[str, str]) -> set[str]:
    """The references sent back unchanged, each in a field of the purpose it was checked
    for; the resume's URL put in the photo (or a photo in the resume) is checked anew, and
    refused as another purpose's upload."""
    return {ref.url for ref in refs if stored.get(ref.url) == ref.purpose}


def update_values(body: schemas.ProfileUpdate) -> dict[str, object]:
    """The parameters of update_profile: which fields to set (`fields`) and their values."""
    fields = [name for name in UPDATABLE if getattr(body, name) is not UNSET]
    values: dict[str, object] = dict.fromkeys(VALUE_PARAMS)
    for name in fields:
        value = getattr(body, name)
        if isinstance(value, schemas.SkillsUpdate):
            values["claimed"] = normalize_skills(value.claimed)
        elif isinstance(value, list):
            values[name] = [tidy(item) for item in value]
        else:
            values[name] = clean(value)
    values["fields"] = fields
    return values


def to_profile(row, show_resume: bool, is_owner: bool = False) -> schemas.Profile:
    data = dict(row)
    resume_url = data.pop("resume_url")
    profile = msgspec.convert(data, schemas.Profile)
    if show_resume:
        profile.resume_url = resume_url
    if is_owner:
        profile.completeness = completeness(profile, resume_url)
    return profile


class ProfileService:
    def __init__(self, db: Database):
        self.db = db

    async def get(
        self, viewer_id: uuid.UUID, viewer_verified: bool, user_id: uuid.UUID
    ) -> schemas.Profile:
        """The owner sees everything; other verified users see the public fields, and the
        resume too when they hire for a company the user applied to."""
        is_owner = viewer_id == user_id
        if not is_owner and not viewer_verified:
            raise Forbidden("verify your email address to see other people's profiles")
        q = self.db.q.profiles
        async with self.db.statement() as conn:
            row = await q.get_profile(conn, user_id=user_id)
            if row is None:
                raise NotFound("no such user")
            show_resume = is_owner or await q.resume_visible_to(
                conn, viewer_id=viewer_id, candidate_id=user_id, hiring_roles=sorted(HIRE)
            )
            institutes = await self.db.q.orgs.get_verified_institutes(conn, user_id=user_id)
        profile = to_profile(row, show_resume, is_owner)
        profile.verified_institutes = msgspec.convert(institutes, list[VerifiedInstitute])
        return profile

    async def display_name(self, user_id: uuid.UUID) -> str | None:
        """A person's public name (never their email); None when they have not given one."""
        async with self.db.connection() as conn:
            return await self.db.q.profiles.get_display_name(conn, user_id=user_id)

    async def person_card(
        self, user_id: uuid.UUID, show_headline: bool
    ) -> schemas.PersonCard | None:
        """A person's name and photo (public, like a gig's "by" line), and their headline
        when the viewer may see profiles (verified users)."""
        async with self.db.connection() as conn:
            row = await self.db.q.profiles.get_person_card(conn, user_id=user_id)
        if row is None:
            return None
        card = msgspec.convert(dict(row), schemas.PersonCard)
        return card if show_headline else msgspec.structs.replace(card, headline=None)

    async def update(
        self, caller_id: uuid.UUID, user_id: uuid.UUID, body: schemas.ProfileUpdate
    ) -> schemas.Profile:
        if caller_id != user_id:
            raise Forbidden("only the owner of a profile may edit it")
        errors = date_order_errors(body)
        if errors:
            raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)
        values = update_values(body)
        links = linked_organizations(body)
        q = self.db.q.profiles
        async with self.db.transaction() as tx:
            if links:
                rows = await fetch_all(
                    q.existing_organization_ids, tx.conn, organization_ids=list(links)
                )
                found = {row["id"] for row in rows}
                missing = [field for org, field in links.items() if org not in found]
                if missing:
                    raise Invalid(
                        f"{missing[0]}: no such organization",
                        [FieldError(field=f, message="no such organization") for f in missing],
                    )
            before = await q.get_profile(tx.conn, user_id=user_id)
            refs = file_refs(body)
            if refs:
                current = await q.get_profile(tx.conn, user_id=user_id)
                keep = kept_files(refs, stored_files(current)) if current is not None else set()
                await require_uploads(self.db, tx.conn, caller_id, refs, keep)
            if values["fields"]:
                updated = await q.update_profile(tx.conn, user_id=user_id, **values)
                if updated is None:
                    raise NotFound("no such user")
            row = await q.get_profile(tx.conn, user_id=user_id)
            if row is None:
                raise NotFound("no such user")
            if row["resume_url"] and row["resume_url"] != before["resume_url"]:
                # Workflow 2, step 3: a new resume goes to the enrichment worker.
                await enqueue_enrichment(self.db, tx, user_id, caller_id, row["resume_url"])
            return to_profile(row, show_resume=True, is_owner=True)
