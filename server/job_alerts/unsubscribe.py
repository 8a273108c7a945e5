"""One-click unsubscribe links for the job-alert digest (RFC 8058): no log-in needed.

Made as server/messaging/unsubscribe.py makes the missed-message ones (the user's id and an
HMAC-SHA256 of it under SECRET_KEY, no table, valid as long as the key), under a purpose of
its own, so a link from one kind of email cannot turn off the other. It can only turn the
digest off.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

PURPOSE = b"unsubscribe:job_alert_digest:"
MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret_key: str, user_id: uuid.UUID) -> bytes:
    digest = hmac.new(secret_key.encode(), PURPOSE + user_id.bytes, hashlib.sha256).digest()
    return digest[:MAC_BYTES]


def digest_unsubscribe_token(secret_key: str, user_id: uuid.UUID) -> str:
    return f"{_b64(user_id.bytes)}.{_b64(_mac(secret_key, user_id))}"


def digest_unsubscribe_user(secret_key: str, token: str) -> uuid.UUID | None:
    """The user a token was made for, or None for anything else."""
    if len(token) > 64 or token.count(".") != 1:
        return None
    raw_id, raw_mac = token.split(".")
    try:
        user_id = uuid.UUID(bytes=_unb64(raw_id))
        mac = _unb64(raw_mac)
    except (ValueError, binascii.Error):
        return None
    return user_id if hmac.compare_digest(mac, _mac(secret_key, user_id)) else None
