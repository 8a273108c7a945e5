"""A short human name for the device behind a session's user agent: "Chrome on Linux".

ua-parser (the uap-core regexes, kept up to date by that project) does the matching. Its
first call compiles several hundred regexes (~0.5 s), so labels are made in a thread and
remembered: a person has a handful of user agents and they rarely change.
"""

from __future__ import annotations

import asyncio
import functools
import re

from ua_parser import parse

UNKNOWN = "Unknown device"
_PRODUCT = re.compile(r"[A-Za-z][\w.\-]{0,40}")


@functools.lru_cache(maxsize=4096)
def device_label(user_agent: str | None) -> str:
    if not user_agent:
        return UNKNOWN
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os and result.os.family != "Other" else None
    if browser and browser != "Other":
        return f"{browser} on {system}" if system else browser
    if system:
        return system
    # Not a browser (a script, an API client): its product name, "python-httpx".
    product = _PRODUCT.match(user_agent)
    return product.group(0) if product else UNKNOWN


async def device_labels(user_agents: list[str | None]) -> list[str]:
    return await asyncio.to_thread(lambda: [device_label(ua) for ua in user_agents])
