"""Opaque tokens, password hashing and CSRF tokens.

Session and email tokens are 256-bit random strings handed to the client once; the
database keeps only their SHA-256, so reading the database does not let anyone log in.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# PASSWORD_HASH_PROFILE: argon2-cffi's parameter profiles. New hashes use the chosen one; a
# stored hash carries its own parameters, so hashes made under another profile still verify.
# "cheapest" is argon2-cffi's profile for test suites (microseconds instead of ~0.15 s of CPU
# a hash): the tests sign up thousands of users. Never for an instance people use.
PROFILES = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,  # argon2-cffi's default
    "rfc9106-high-memory": profiles.RFC_9106_HIGH_MEMORY,
    "cheapest": profiles.CHEAPEST,
}
_hasher = PasswordHasher.from_parameters(PROFILES["rfc9106-low-memory"])
_profile = "rfc9106-low-memory"
# Verified against when the email is unknown, so a login attempt takes as long whether
# or not the account exists (made with the profile in use: see ``use_profile``).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def use_profile(name: str) -> None:
    """Hash new passwords with profile ``name`` (one of PROFILES; the process's settings)."""
    global _hasher, _profile, _DUMMY_HASH
    if name == _profile:
        return
    _hasher = PasswordHasher.from_parameters(PROFILES[name])
    _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    _profile = name


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def hash_password(password: str) -> str:
    # Argon2 costs tens of milliseconds of CPU; keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def csrf_token(secret_key: str, session_id: uuid.UUID) -> str:
    """A per-session CSRF token: derivable by the server, unguessable by another site."""
    return hmac.new(secret_key.encode(), b"csrf:" + session_id.bytes, hashlib.sha256).hexdigest()


def csrf_ok(secret_key: str, session_id: uuid.UUID, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(
        csrf_token(secret_key, session_id), presented
    )
