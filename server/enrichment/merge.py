"""Merging a parsed resume into a profile without clobbering what the user wrote.

Pure: takes the stored documents and returns the new ones plus what was added. The rules
(docs/enrichment.md, "Merge rules"):

* skills go to ``claimed`` only, appended after the user's own, never to ``verified``; a skill
  already claimed or verified (same identity: case, spacing, punctuation and known aliases
  ignored) is not added again; a skill the resume added before and the user has since removed
  is not added back (``profile_skill_sources`` remembers it);
* experience, education and contact links are appended when the profile has no entry for them
  yet (same title and company; same institution and degree; same URL); the user's entries are
  never edited or reordered;
* every list stays within the profile's limits (50 skills, 30 jobs, 20 schools, 50 links).

Running it again on its own output changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from server.enrichment.parse import Parsed, link_title
from server.enrichment.vocabulary import canonical_key
from server.profiles import schemas as profile_schemas


@dataclass
class Merged:
    claimed: list[str]
    experience: list[dict]
    education: list[dict]
    portfolio: list[dict]
    skills_added: list[str] = field(default_factory=list)
    experience_added: int = 0
    education_added: int = 0
    links_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.skills_added or self.experience_added or self.education_added or self.links_added
        )


def fold(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _valid(item: dict, struct: type) -> dict | None:
    """The item as the profile API would store it, or None when it would not accept it."""
    try:
        return msgspec.to_builtins(msgspec.convert(item, struct))
    except msgspec.ValidationError:
        return None


def merge(
    profile: Any,
    sources: set[str],
    parsed: Parsed,
    institutes: dict[str, uuid.UUID],
    companies: dict[str, uuid.UUID],
) -> Merged:
    skills = profile["skills"] or {}
    claimed = list(skills.get("claimed") or [])
    verified = list(skills.get("verified") or [])
    experience = list(profile["experience"] or [])
    education = list(profile["education"] or [])
    portfolio = list(profile["portfolio"] or [])
    result = Merged(
        claimed=claimed, experience=experience, education=education, portfolio=portfolio
    )

    have = {canonical_key(name) for name in claimed + verified}
    for name in parsed.skills:
        key = canonical_key(name)
        if key in have or key in sources or len(claimed) >= profile_schemas.MAX_SKILLS:
            continue
        if _valid({"claimed": [name]}, profile_schemas.SkillsUpdate) is None:
            continue
        have.add(key)
        claimed.append(name)
        result.skills_added.append(name)

    jobs = {(fold(e.get("title")), fold(e.get("company"))) for e in experience}
    for item in parsed.experience:
        key = (fold(item["title"]), fold(item["company"]))
        if key in jobs or len(experience) >= profile_schemas.MAX_EXPERIENCE:
            continue
        candidate = {**item, "organization_id": companies.get(fold(item["company"]))}
        stored = _valid(candidate, profile_schemas.ExperienceItem)
        if stored is None:
            continue
        jobs.add(key)
        experience.append(stored)
        result.experience_added += 1

    schools = {(fold(e.get("institution")), fold(e.get("degree"))) for e in education}
    school_names = {name for name, _ in schools}
    for item in parsed.education:
        name, degree = fold(item["institution"]), fold(item["degree"])
        seen = (name, degree) in schools or (not degree and name in school_names)
        if seen or len(education) >= profile_schemas.MAX_EDUCATION:
            continue
        candidate = {**item, "organization_id": institutes.get(name)}
        stored = _valid(candidate, profile_schemas.EducationItem)
        if stored is None:
            continue
        schools.add((name, degree))
        school_names.add(name)
        education.append(stored)
        result.education_added += 1

    urls = {fold(p.get("url")).rstrip("/") for p in portfolio if p.get("url")}
    for url in parsed.links:
        key = fold(url).rstrip("/")
        if key in urls or len(portfolio) >= profile_schemas.MAX_PORTFOLIO:
            continue
        stored = _valid({"title": link_title(url), "url": url}, profile_schemas.PortfolioItem)
        if stored is None:
            continue
        urls.add(key)
        portfolio.append(stored)
        result.links_added += 1
    return result
