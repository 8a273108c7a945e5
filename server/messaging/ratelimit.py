"""Per-user chat rate limits: sends, and searches, each a token bucket (server/ratelimit.py)
shared by every instance through Redis.

Each user has a bucket of ``BURST`` sends that refills at ``RATE_PER_SECOND``; a send
with the bucket empty is refused (``RateLimited``: 429 over REST, ``rate_limited`` on the
socket).
"""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.config import Settings
from server.ratelimit import TokenBucket, token_bucket

# A person typing fast sends a few messages a second; a burst covers pasting a list.
BURST = 30
RATE_PER_SECOND = 10.0

# Searches (message search, the people picker) have a bucket of their own: a search costs
# about what a send does, and typing into a search box must not use up a user's sends.
SEARCH_BURST = 20
SEARCH_RATE_PER_SECOND = 2.0

SEND_LIMITER: web.AppKey[TokenBucket] = web.AppKey("messaging_send_limiter", TokenBucket)
SEARCH_LIMITER: web.AppKey[TokenBucket] = web.AppKey("messaging_search_limiter", TokenBucket)


def install_send_limiter(app: web.Application) -> None:
    """Put the send and search limiters on the app (the chat namespace installs them). With
    Redis they use the fan-out bus's client: one bounded pool per process, closed with the
    bus."""
    settings: Settings = app[keys.SETTINGS]
    send_burst, send_rate = settings.send_burst, settings.send_rate_per_second
    app[SEND_LIMITER] = token_bucket(
        app,
        send_burst,
        send_rate,
        "send",
        f"too many messages: at most {send_burst} at once and {send_rate:g} a second after "
        "that; wait a moment and retry",
    )
    app[SEARCH_LIMITER] = token_bucket(
        app,
        SEARCH_BURST,
        SEARCH_RATE_PER_SECOND,
        "search",
        f"too many searches: at most {SEARCH_BURST} at once and {SEARCH_RATE_PER_SECOND:g} a "
        "second after that; wait a moment and retry",
    )
