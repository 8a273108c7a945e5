"""A person who signed up with an identity provider has roles '{}' until they choose them
(issue 17): no page and no API a client can call may fail (500) for them. Every GET route
of the app is called with a bearer token of such a user, and every POST/PATCH/DELETE route
with an empty JSON body (a refusal is fine; a 500 is not)."""

from __future__ import annotations

import re
import uuid

from tests.client import PASSWORD

__all__ = ["PASSWORD"]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def test_a_user_without_roles_never_gets_a_500(api, client, db):
    user = await api.sign_up(["student"])
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET roles = '{}' WHERE id = $1", user.id)
    me = await api.get("/api/me", as_=user, expect=200)
    assert me["user"]["roles"] == [], me
    failures = []
    called = 0
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if not path or route.method in ("HEAD", "OPTIONS", "*") or path.startswith("/socket.io"):
            continue
        if path.startswith("/static"):
            continue
        kwargs = {} if route.method == "GET" else {"json": {}}
        response = await client.request(
            route.method, concrete(path), headers=user.headers, allow_redirects=False, **kwargs
        )
        called += 1
        if response.status >= 500:
            failures.append((route.method, path, response.status, (await response.text())[:200]))
    assert called > 100
    assert failures == []
