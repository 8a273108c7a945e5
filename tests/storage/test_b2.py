"""The B2 backend: native operations against b2sdk's own in-process simulator
(RawSimulator, as b2sdk's tests use it), and the whole upload service on top of it."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from server.storage import ObjectNotFound, ObjectTooLarge, create_storage
from server.storage.b2 import LIFECYCLE_RULES, B2Storage, cors_rules
from server.uploads import schemas
from server.uploads.service import UploadService
from tests.storage.conftest import BUCKET

KEY = "incoming/resume/" + "c" * 32 + ".pdf"
PDF = b"%PDF-1.4 from b2"


def browser_put(bucket, key: str, data: bytes, content_type: str) -> None:
    """Stands in for the browser's presigned S3 PUT (the simulator speaks only B2's
    native API; the presigned URL itself is exercised against an S3 server in
    test_presigned_put.py)."""
    bucket.upload_bytes(data, key, content_type=content_type)


async def test_stat_reports_size_type_sha1_and_version(simulated):
    storage, bucket = simulated
    assert await storage.stat(KEY) is None
    browser_put(bucket, KEY, PDF, "application/pdf")
    info = await storage.stat(KEY)
    assert info is not None
    assert (info.size, info.content_type) == (len(PDF), "application/pdf")
    assert info.sha1 == hashlib.sha1(PDF).hexdigest()  # noqa: S324 - B2's checksum
    assert info.version_id


async def test_read_is_bounded_and_reads_the_object(simulated):
    storage, bucket = simulated
    with pytest.raises(ObjectNotFound):
        await storage.read(KEY, 100)
    browser_put(bucket, KEY, PDF, "application/pdf")
    with pytest.raises(ObjectTooLarge):
        await storage.read(KEY, len(PDF) - 1)
    assert await storage.read(KEY, len(PDF)) == PDF


async def test_delete_removes_every_version(simulated):
    storage, bucket = simulated
    browser_put(bucket, KEY, PDF, "application/pdf")
    browser_put(bucket, KEY, b"%PDF replayed", "application/pdf")
    other = KEY.replace("c" * 32, "d" * 32)
    browser_put(bucket, other, PDF, "application/pdf")
    await storage.delete(KEY)
    assert await storage.stat(KEY) is None
    assert list(bucket.list_file_versions(KEY)) == []
    assert await storage.stat(other) is not None
    await storage.delete(KEY)  # deleting nothing is fine


async def test_seal_copies_the_verified_version_to_a_key_no_grant_names(simulated):
    storage, bucket = simulated
    browser_put(bucket, KEY, PDF, "application/pdf")
    verified = await storage.stat(KEY)
    # A replayed grant puts a newer version after verification: the seal ignores it.
    browser_put(bucket, KEY, b"%PDF swapped!!!!", "application/pdf")
    sealed = await storage.seal(KEY, verified)
    assert sealed == "files/resume/" + "c" * 32 + ".pdf"
    assert await storage.read(sealed, 100) == PDF
    info = await storage.stat(sealed)
    assert info.content_type == "application/pdf"


async def test_download_authorization_is_for_the_one_file_and_short_lived(simulated):
    storage, bucket = simulated
    browser_put(bucket, KEY, PDF, "application/pdf")
    url = await storage.download_url(
        KEY, expires_in=120, filename="cv.pdf", content_type="application/pdf"
    )
    parts = urlsplit(url)
    assert parts.path == f"/file/{BUCKET}/{KEY}"
    (token,) = parse_qs(parts.query)["Authorization"]
    bucket_id = bucket.id_
    # The simulator's token records exactly what was authorized: this name, 120 seconds.
    assert token == f"fake_download_auth_token_{bucket_id}_{KEY}_120"


async def test_upload_grants_never_last_beyond_15_minutes(simulated):
    storage, _ = simulated
    grant = await storage.upload_grant(KEY, content_type="application/pdf", size=10, expires_in=900)
    query = parse_qs(urlsplit(grant.url).query)
    assert query["X-Amz-Expires"] == ["900"]
    assert query["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
    assert urlsplit(grant.url).path == f"/{BUCKET}/{KEY}"
    with pytest.raises(ValueError):
        await storage.upload_grant(KEY, content_type="application/pdf", size=10, expires_in=901)
    with pytest.raises(ValueError):
        await storage.upload_grant("../x", content_type="application/pdf", size=10, expires_in=60)


async def test_storage_setup_makes_the_bucket_private_with_cors_and_lifecycle(simulated):
    storage, _ = simulated
    origins = ("https://rizeos.example", "https://www.rizeos.example")
    applied = await storage.apply_bucket_rules(origins)
    bucket = storage.api.get_bucket_by_name(BUCKET)
    assert bucket.type_ == "allPrivate"
    assert bucket.cors_rules == cors_rules(origins) == applied["cors_rules"]
    assert bucket.lifecycle_rules == LIFECYCLE_RULES
    operations = {op for rule in bucket.cors_rules for op in rule["allowedOperations"]}
    assert operations == {"s3_put", "b2_download_file_by_name"}
    assert all(rule["allowedOrigins"] == list(origins) for rule in bucket.cors_rules)


async def test_the_upload_service_runs_on_b2(simulated, api, db, settings):
    """grant → (browser PUT) → complete → download URL, and a mismatch, on the B2 backend."""
    storage, bucket = simulated
    service = UploadService(db, storage, settings)
    ana = await api.sign_up()
    request = schemas.UploadRequest(
        purpose="resume", filename="cv.pdf", content_type="application/pdf", size=len(PDF)
    )
    grant = await service.grant(ana.id, request)
    assert grant.upload_request.url.startswith("https://s3.us-west-004.example/rizeos-test/")
    upload_id = grant.upload.id
    key = f"incoming/resume/{upload_id.hex}.pdf"
    browser_put(bucket, key, PDF, "application/pdf")
    done = await service.complete(ana.id, upload_id)
    assert done.status == "complete"
    assert await storage.stat(key) is None  # moved out of incoming/
    assert await storage.read(f"files/resume/{upload_id.hex}.pdf", 100) == PDF
    url = await service.download_url(ana.id, upload_id)
    assert f"/file/{BUCKET}/files/resume/{upload_id.hex}.pdf?Authorization=" in url

    bad = await service.grant(ana.id, request)
    bad_key = f"incoming/resume/{bad.upload.id.hex}.pdf"
    browser_put(bucket, bad_key, PDF + b"more", "application/pdf")
    from server.errors import Invalid

    with pytest.raises(Invalid):
        await service.complete(ana.id, bad.upload.id)
    assert await storage.stat(bad_key) is None


def test_create_storage_picks_b2_when_its_credentials_are_set(settings):
    import dataclasses

    b2 = dataclasses.replace(
        settings,
        b2_key_id="key-id",
        b2_application_key="app-key",
        b2_bucket=BUCKET,
        b2_s3_endpoint="https://s3.us-west-004.backblazeb2.com",
        b2_region="us-west-004",
    )
    storage = create_storage(b2)
    assert isinstance(storage, B2Storage)
    assert storage.presigner.region == "us-west-004"
    assert create_storage(settings).name == "local"


async def test_an_unreachable_or_refusing_b2_is_a_storage_error_and_a_503(simulated):
    from server.errors import Unavailable
    from server.storage import StorageError
    from server.uploads.routes import store_unavailable_is_503

    storage, _ = simulated
    refused = B2Storage(
        storage.api, BUCKET, storage.presigner, credentials=("no-such-key", "wrong")
    )
    with pytest.raises(StorageError):
        await refused.stat(KEY)
    with pytest.raises(Unavailable), store_unavailable_is_503():
        await refused.stat(KEY)
