"""AWS Signature Version 4 query signing (a presigned URL) for one S3 PUT.

B2's S3-compatible API verifies these like S3 does. Written here rather than pulling in
botocore (~13 MB, plus its own HTTP stack) for the one call we need; the test suite checks
the result against botocore's own presigner, byte for byte, and PUTs it to an S3 server.

The signature covers the method, the bucket and key, the expiry, and the `host`,
`content-type` and `content-length` headers, so the URL is good for exactly one object name,
one content type and one size, until it expires (at most 7 days by the protocol; we never
ask for more than 15 minutes).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES = 7 * 24 * 3600


def _uri_encode(value: str, safe: str = "-_.~") -> str:
    return quote(value, safe=safe)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class S3Presigner:
    endpoint: str  # https://s3.<region>.backblazeb2.com
    region: str
    access_key_id: str
    secret_access_key: str = field(repr=False)

    def presign_put(
        self,
        bucket: str,
        key: str,
        *,
        content_type: str,
        content_length: int,
        expires_in: int,
        now: datetime | None = None,
    ) -> str:
        if not 1 <= expires_in <= MAX_EXPIRES:
            raise ValueError(f"expires_in must be 1..{MAX_EXPIRES} seconds")
        now = (now or datetime.now(UTC)).astimezone(UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = now.strftime("%Y%m%d")
        scope = f"{day}/{self.region}/s3/aws4_request"
        parts = urlsplit(self.endpoint)
        host = parts.netloc
        # Path-style addressing: /<bucket>/<key>, each segment percent-encoded once.
        base_path = parts.path.rstrip("/")
        path = f"{base_path}/{_uri_encode(bucket)}/{_uri_encode(key, safe='-_.~/')}"
        headers = {
            "content-length": str(content_length),
            "content-type": content_type,
            "host": host,
        }
        signed_headers = ";".join(sorted(headers))
        query = {
            "X-Amz-Algorithm": ALGORITHM,
            "X-Amz-Credential": f"{self.access_key_id}/{scope}",
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": str(expires_in),
            "X-Amz-SignedHeaders": signed_headers,
        }
        canonical_query = "&".join(
            f"{_uri_encode(k)}={_uri_encode(v)}" for k, v in sorted(query.items())
        )
        canonical_headers = "".join(f"{k}:{headers[k].strip()}\n" for k in sorted(headers))
        canonical_request = "\n".join(
            ["PUT", path, canonical_query, canonical_headers, signed_headers, "UNSIGNED-PAYLOAD"]
        )
        string_to_sign = "\n".join(
            [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        key_date = _hmac(("AWS4" + self.secret_access_key).encode(), day)
        signing_key = _hmac(_hmac(_hmac(key_date, self.region), "s3"), "aws4_request")
        signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return f"{parts.scheme}://{host}{path}?{canonical_query}&X-Amz-Signature={signature}"
