"""The presigned PUT a browser uses with the B2 backend, against a real S3-compatible server
(moto's server mode, standing in for B2's S3 endpoint) over real HTTP, and checked against
botocore's reference SigV4 presigner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import aiohttp
import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.server import ThreadedMotoServer

from server.storage.sigv4 import S3Presigner
from tests.processes import free_port

BUCKET = "rizeos-uploads"
KEY = "incoming/gig_media/" + "e" * 32 + ".png"
REGION = "us-west-004"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3_client(endpoint).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    try:
        yield endpoint
    finally:
        server.stop()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test-key-id",
        aws_secret_access_key="test-secret",
    )


async def test_a_presigned_put_stores_the_object_under_its_key(s3_endpoint):
    presigner = S3Presigner(s3_endpoint, REGION, "test-key-id", "test-secret")
    url = presigner.presign_put(
        BUCKET, KEY, content_type="image/png", content_length=len(PNG), expires_in=600
    )
    async with (
        aiohttp.ClientSession() as http,
        http.put(url, data=PNG, headers={"Content-Type": "image/png"}) as response,
    ):
        assert response.status == 200, await response.text()
    head = s3_client(s3_endpoint).head_object(Bucket=BUCKET, Key=KEY)
    assert head["ContentLength"] == len(PNG)
    assert head["ContentType"] == "image/png"
    body = s3_client(s3_endpoint).get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    assert body == PNG


@pytest.mark.parametrize(
    "key", [KEY, "incoming/resume/" + "0" * 32 + ".docx", "files/org_logo/" + "f" * 32 + ".webp"]
)
@pytest.mark.parametrize("endpoint", ["https://s3.us-west-004.backblazeb2.com", "http://h:9000"])
def test_the_signature_is_the_one_botocore_computes(monkeypatch, key, endpoint):
    """Same inputs and clock as botocore's SigV4 query signer → the same signed URL, so
    any S3-compatible server that accepts botocore's presigned URLs accepts ours."""
    now = datetime(2026, 11, 24, 19, 30, 5, tzinfo=UTC)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now.replace(tzinfo=None))
    presigner = S3Presigner(endpoint, REGION, "004a1b2c3d", "K004secret/with+chars")
    ours = presigner.presign_put(
        BUCKET, key, content_type="image/png", content_length=1234, expires_in=900, now=now
    )
    request = AWSRequest(
        method="PUT",
        url=f"{endpoint}/{BUCKET}/{key}",
        headers={"Content-Type": "image/png", "Content-Length": "1234"},
    )
    botocore.auth.S3SigV4QueryAuth(
        Credentials("004a1b2c3d", "K004secret/with+chars"), "s3", REGION, expires=900
    ).add_auth(request)
    theirs = urlsplit(request.url)
    mine = urlsplit(ours)
    assert (mine.scheme, mine.netloc, mine.path) == (theirs.scheme, theirs.netloc, theirs.path)
    assert parse_qs(mine.query) == parse_qs(theirs.query)
    assert parse_qs(mine.query)["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]


def test_the_signature_covers_key_type_size_and_expiry():
    presigner = S3Presigner("https://s3.example", REGION, "id", "secret")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    base = {"content_type": "image/png", "content_length": 10, "expires_in": 600, "now": now}

    def signature(key: str = KEY, **changes) -> str:
        url = presigner.presign_put(BUCKET, key, **(base | changes))
        return parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]

    reference = signature()
    assert signature(key=KEY.replace("e", "f")) != reference
    assert signature(content_type="image/jpeg") != reference
    assert signature(content_length=11) != reference
    assert signature(expires_in=601) != reference
    with pytest.raises(ValueError):
        signature(expires_in=0)
