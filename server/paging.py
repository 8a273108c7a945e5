"""Keyset pagination: the ``limit`` every list accepts, and opaque cursors.

A cursor is the sort key of the last row of a page, base64url-encoded JSON. Services fetch
``limit + 1`` rows after the decoded key and split them with ``keyset_page``; query Structs
declare ``limit: Limit = DEFAULT_LIMIT`` and ``cursor: str | None = None``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import typing
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from server.errors import BadRequest

MAX_LIMIT = 100
DEFAULT_LIMIT = 20

Limit = typing.Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)]
# A time in a cursor is client input: a hand-made one without a zone is refused, not guessed.
AwareDatetime = typing.Annotated[datetime.datetime, msgspec.Meta(tz=True)]

_encoder = msgspec.json.Encoder()


def encode_cursor(*values: Any) -> str:
    """An opaque cursor: the sort key of the last row returned, base64url-encoded JSON."""
    return base64.urlsafe_b64encode(_encoder.encode(list(values))).decode().rstrip("=")


def keyset_page(
    rows: Sequence[Any], limit: int, sort_key: Callable[[Any], tuple]
) -> tuple[list[Any], str | None]:
    """Split rows fetched with ``limit + 1`` into one page and the cursor for the next page
    (the sort key of the page's last row), or ``None`` when this is the last page."""
    page = list(rows[:limit])
    next_cursor = encode_cursor(*sort_key(page[-1])) if len(rows) > limit else None
    return page, next_cursor


def decode_cursor(cursor: str | None, types: tuple[type, ...]) -> tuple | None:
    """Decode a cursor made by ``encode_cursor`` into values of the given types, or 400."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = msgspec.json.decode(raw, type=tuple[*types])  # type: ignore[valid-type]
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise BadRequest("invalid cursor: pass back the `next` value of a previous page") from None
    if not all(representable(value) for value in values):
        # A hand-made cursor must not reach PostgreSQL with a value it cannot hold.
        raise BadRequest("invalid cursor: pass back the `next` value of a previous page")
    return values


def representable(value: Any) -> bool:
    """Whether a value decoded from client input can reach PostgreSQL (a time within
    years 1901-8999 and with a zone, a finite float4, text without NUL)."""
    if isinstance(value, datetime.datetime):
        return value.tzinfo is not None and 1900 < value.year < 9000
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) < 3.0e38  # ranks are float4
    if isinstance(value, str):
        return "\x00" not in value
    return True
