"""Jinja filters the templates' components use: initials and a stable hue for avatars, and
ISO / readable UTC forms of a timestamp (the browser turns them into relative local times)."""

from __future__ import annotations

from datetime import UTC, datetime

import jinja2

from server.uploads.refs import upload_id_in

AVATAR_HUES = 8


def initials(name: str | None) -> str:
    """Up to two letters: the first of the first and of the last word ("Ada Lovelace" → AL)."""
    words = [w for w in (name or "").replace("@", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def hue(key: object) -> int:
    """A colour slot 0..7 for a name or id: the same person always gets the same colour. The
    same 31-multiplier hash over code points as static/js/avatar.js, so a row a page adds
    live gets the colour a reload would give it."""
    value = 0
    for ch in str(key):
        value = (value * 31 + ord(ch)) & 0xFFFFFFFF
    return value % AVATAR_HUES


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str:
    return _utc(value).isoformat() if value is not None else ""


def utc_text(value: datetime | None) -> str:
    """The readable fallback shown until the script replaces it (and with scripts off)."""
    return _utc(value).strftime("%-d %b %Y, %H:%M UTC") if value is not None else ""


def file_href(url: str | None) -> str:
    """A stored file reference (PUBLIC_URL/api/files/<id>) as a path on the page's own host,
    so a page opened on another address the server answers on (127.0.0.1 for localhost)
    still sends the session cookie that private files (a resume, an attachment) need."""
    upload_id = upload_id_in(url) if url else None
    if upload_id is not None:
        return f"/api/files/{upload_id}"
    return url or ""


def install(env: jinja2.Environment) -> None:
    env.filters.update(initials=initials, hue=hue, iso=iso, utc_text=utc_text, file_href=file_href)
