"""PASSWORD_HASH_PROFILE: which argon2 parameters new password hashes get (server/auth/tokens.py).
The suite runs with argon2-cffi's profile for tests; an instance people use keeps the default."""

from __future__ import annotations

import pytest

from server.auth import tokens
from server.config import ConfigError, load_settings


@pytest.fixture
def restore_profile():
    before = tokens._profile
    yield
    tokens.use_profile(before)


def test_the_default_profile_is_argon2ids_rfc_9106_low_memory():
    assert load_settings({}).password_hash_profile == "rfc9106-low-memory"


def test_an_unknown_profile_stops_start_up_with_a_clear_message():
    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE must be one of"):
        load_settings({"PASSWORD_HASH_PROFILE": "fast"})


async def test_hashes_carry_their_parameters_and_verify_under_any_profile(restore_profile):
    tokens.use_profile("rfc9106-low-memory")
    strong = await tokens.hash_password("correct horse battery")
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    tokens.use_profile("cheapest")
    cheap = await tokens.hash_password("correct horse battery")
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    # A stored hash keeps working whichever profile makes new ones.
    assert await tokens.verify_password(strong, "correct horse battery")
    tokens.use_profile("rfc9106-low-memory")
    assert await tokens.verify_password(cheap, "correct horse battery")
    assert not await tokens.verify_password(cheap, "wrong horse battery")
    assert not await tokens.verify_password(None, "correct horse battery")
