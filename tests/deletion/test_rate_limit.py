"""Re-authenticating and deleting check a password: both count against the per-account
limit of server/auth/attempts.py (here 3 at once, then 1 a minute)."""

from __future__ import annotations

import dataclasses

import pytest

from server.config import Settings
from tests.client import PASSWORD
from tests.deletion.conftest import snapshot


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, password_account_burst=3)


async def test_password_guesses_at_deletion_are_rate_limited_and_change_nothing(api, db):
    user = await api.sign_up()  # sign-up checks no password: the bucket is full
    for _ in range(2):
        await api.post("/api/me/reauthenticate", {"password": "guess one"}, as_=user, expect=422)
    body = {"confirm": user.email, "password": "guess two"}
    await api.call("DELETE", "/api/me", as_=user, json=body, expect=422)
    before = await snapshot(db, user.id)
    response = await api.client.post(
        "/api/me/reauthenticate", json={"password": PASSWORD}, headers=user.headers
    )
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1
    body = {"confirm": user.email, "password": PASSWORD}
    await api.call("DELETE", "/api/me", as_=user, json=body, expect=429)
    assert await snapshot(db, user.id) == before
