"""The emoji a chat message can be reacted with: a fixed set, so every client can draw
each one and a reaction cannot smuggle arbitrary text (docs/messaging.md lists them).

Clients send an emoji with or without its variation selector (U+FE0F: "❤️" or "❤"); both
name the same reaction and are stored in the form listed here.
"""

from __future__ import annotations

from server.errors import Invalid

VARIATION_SELECTOR = "\ufe0f"

# Order: how a picker shows them.
EMOJI: tuple[str, ...] = (
    "👍",
    "👎",
    "❤️",
    "😂",
    "😮",
    "😢",
    "🎉",
    "👀",
    "✅",
    "🙏",
    "🔥",
    "🚀",
)

_CANONICAL = {e.replace(VARIATION_SELECTOR, ""): e for e in EMOJI}


def canonical_emoji(emoji: str, field: str = "emoji") -> str:
    """The stored form of a reaction emoji; 422 naming ``field`` for one outside the set."""
    found = _CANONICAL.get(emoji.replace(VARIATION_SELECTOR, ""))
    if found is None:
        raise Invalid.field(field, f"react with one of {' '.join(EMOJI)}")
    return found
