"""Constrained string types shared by every domain, and the skill-list normaliser.

PostgreSQL cannot store NUL (``\\x00``) in TEXT or JSONB, so every string type here refuses
it: a client must get a 422, not a 500. Single-line fields refuse all control characters;
long text keeps newlines and tabs. Patterns use ``\\A``/``\\Z`` because ``$`` also matches
before a trailing newline.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

_LINE = r"\A(?=[\s\S]*\S)[^\x00-\x1f\x7f]+\Z"  # one line, not blank
_TEXT = r"\A[^\x00]*\Z"
_PROSE = r"\A(?=[\s\S]*\S)[^\x00]+\Z"  # newlines allowed, not blank
_URL = r"\Ahttps?://[^\s/?#\x00-\x1f\x7f]+(?:[/?#][^\s\x00-\x1f\x7f]*)?\Z"


def line(max_length: int, description: str = "one line, not blank") -> object:
    return Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=max_length, pattern=_LINE, description=description),
    ]


def text(max_length: int, pattern: str = _TEXT) -> object:
    return Annotated[str, msgspec.Meta(max_length=max_length, pattern=pattern)]


Name = line(255)
ShortText = text(2_000)
LongText = text(10_000)
# Required prose (a gig's description, a tier's summary): newlines allowed, but not blank.
Summary = text(2_000, _PROSE)
Prose = text(20_000, _PROSE)
# Search text: PostgreSQL refuses NUL in query parameters too.
SearchText = text(200)


def url(max_length: int = 1024, description: str = "an http(s) URL") -> object:
    return Annotated[
        str,
        msgspec.Meta(min_length=8, max_length=max_length, pattern=_URL, description=description),
    ]


Url = url()
# A file: the `url` of one of the caller's completed uploads (server/uploads/refs.py checks
# owner, status and purpose; the type only checks the shape).
FileUrl = url(
    description="the `url` of a completed upload of yours (POST /api/uploads/generate-url, "
    "PUT the file, POST /api/uploads/{id}/complete)"
)
SkillName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, pattern=_LINE, description="a skill name")
]


def normalize_skills(names: list[str], *, lower: bool = False) -> list[str]:
    """Trim, drop case-insensitive duplicates (the first spelling wins), keep the order."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        cleaned = " ".join(name.split())
        key = cleaned.casefold()
        if key in seen:
            continue
        seen.add(key)
        result.append(cleaned.lower() if lower else cleaned)
    return result


def clean(value: str | None) -> str | None:
    """Trim surrounding whitespace; an empty result means "no value"."""
    if value is None:
        return None
    return value.strip() or None
