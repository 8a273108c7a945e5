"""One-click unsubscribe links for missed-message emails (RFC 8058): no log-in needed.

The token is the user's id and an HMAC-SHA256 of it under the app's SECRET_KEY (the way the
CSRF tokens of server/auth/tokens.py are made), so it cannot be forged or moved to another
user, needs no table, and keeps working for as long as the key does: an unsubscribe link
in an old email must still work. It can only turn the emails off.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

PURPOSE = b"unsubscribe:missed_message_emails:"
MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(secret_key: str, user_id: uuid.UUID) -> bytes:
    return hmac.new(secret_key.encode(), PURPOSE + user_id.bytes, hashlib.sha256).digest()[
        :MAC_BYTES
    ]


def unsubscribe_token(secret_key: str, user_id: uuid.UUID) -> str:
    return f"{_b64(user_id.bytes)}.{_b64(_mac(secret_key, user_id))}"


def unsubscribe_user(secret_key: str, token: str) -> uuid.UUID | None:
    """The user a token was made for, or None for anything else."""
    if len(token) > 64 or token.count(".") != 1:
        return None
    raw_id, raw_mac = token.split(".")
    try:
        user_id = uuid.UUID(bytes=base64.urlsafe_b64decode(raw_id + "=" * (-len(raw_id) % 4)))
        mac = base64.urlsafe_b64decode(raw_mac + "=" * (-len(raw_mac) % 4))
    except (ValueError, binascii.Error):
        return None
    return user_id if hmac.compare_digest(mac, _mac(secret_key, user_id)) else None
