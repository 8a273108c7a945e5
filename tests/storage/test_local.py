"""The local backend's signed URLs over real HTTP: a grant allows exactly one PUT of the
granted bytes to the granted key before it expires, and nothing else."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from server import keys
from server.storage import KEY_PATTERN, ObjectNotFound, ObjectTooLarge
from server.storage.local import LocalStorage

KEY = "incoming/resume/" + "a" * 32 + ".pdf"
OTHER_KEY = "incoming/resume/" + "b" * 32 + ".pdf"
BODY = b"%PDF-1.4 hello"


@pytest.fixture
def storage(client) -> LocalStorage:
    store = client.app[keys.STORAGE]
    assert isinstance(store, LocalStorage)
    return store


def path_of(storage: LocalStorage, url: str) -> str:
    return url[len(storage.base_url) - len("/storage/local") :]


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return f"{parts.path}?{urlencode(query)}"


async def grant(storage: LocalStorage, key: str = KEY, expires_in: int = 60, **kw):
    kw.setdefault("content_type", "application/pdf")
    kw.setdefault("size", len(BODY))
    return await storage.upload_grant(key, expires_in=expires_in, **kw)


async def put(client, storage, url, body=BODY, content_type="application/pdf", **kw):
    response = await client.put(
        path_of(storage, url), data=body, headers={"Content-Type": content_type}, **kw
    )
    return response.status, await response.text()


async def test_a_grant_stores_the_bytes_once_with_their_checksum(client, storage):
    g = await grant(storage)
    assert await put(client, storage, g.url) == (200, "")
    info = await storage.stat(KEY)
    assert info is not None
    assert (info.size, info.content_type) == (len(BODY), "application/pdf")
    assert info.sha256 == hashlib.sha256(BODY).hexdigest()
    assert await storage.read(KEY, 1000) == BODY
    assert (storage.root / KEY).read_bytes() == BODY


async def test_the_same_grant_cannot_overwrite(client, storage):
    g = await grant(storage)
    await put(client, storage, g.url)
    status, text = await put(client, storage, g.url, b"%PDF-1.4 other")
    assert status == 409, text
    assert await storage.read(KEY, 1000) == BODY


async def test_a_deleted_object_cannot_be_uploaded_again_with_its_grant(client, storage):
    g = await grant(storage)
    await put(client, storage, g.url)
    await storage.delete(KEY)
    assert await storage.stat(KEY) is None
    assert (await put(client, storage, g.url))[0] == 409
    assert await storage.stat(KEY) is None


async def test_a_grant_is_for_its_one_key(client, storage):
    g = await grant(storage)
    other = g.url.replace("a" * 32, "b" * 32)
    assert (await put(client, storage, other))[0] == 403
    assert await storage.stat(OTHER_KEY) is None
    assert await storage.stat(KEY) is None


async def test_an_expired_grant_is_refused(client, storage):
    g = await grant(storage, expires_in=-1)
    status, text = await put(client, storage, g.url)
    assert status == 403 and "expired" in text
    assert await storage.stat(KEY) is None


@pytest.mark.parametrize(
    "change",
    [
        {"signature": "0" * 64},
        {"size": "999999"},
        {"type": "image/png"},
        {"expires": str(int(time.time()) + 86400)},
    ],
)
async def test_a_tampered_url_is_refused(client, storage, change):
    g = await grant(storage)
    response = await client.put(
        with_query(g.url, **change), data=BODY, headers={"Content-Type": "application/pdf"}
    )
    assert response.status == 403
    assert await storage.stat(KEY) is None


async def test_the_granted_content_type_is_required(client, storage):
    g = await grant(storage)
    status, text = await put(client, storage, g.url, content_type="text/html")
    assert status == 400 and "Content-Type" in text
    assert await storage.stat(KEY) is None


@pytest.mark.parametrize("body", [BODY[:-1], BODY + b"!"])
async def test_the_granted_size_is_required(client, storage, body):
    g = await grant(storage)
    assert (await put(client, storage, g.url, body))[0] == 400
    assert await storage.stat(KEY) is None


async def test_a_body_without_a_length_is_refused(client, storage):
    g = await grant(storage)

    async def chunks():
        yield BODY

    assert (await put(client, storage, g.url, chunks()))[0] == 411
    assert await storage.stat(KEY) is None


async def test_a_declared_checksum_must_match_the_bytes(client, storage):
    g = await grant(storage, sha256=hashlib.sha256(b"something else").hexdigest())
    assert (await put(client, storage, g.url))[0] == 400
    assert await storage.stat(KEY) is None
    g = await grant(storage, key=OTHER_KEY, sha256=hashlib.sha256(BODY).hexdigest())
    assert (await put(client, storage, g.url))[0] == 200


async def test_download_urls_are_signed_expiring_and_read_only(client, storage):
    await put(client, storage, (await grant(storage)).url)
    url = await storage.download_url(
        KEY, expires_in=60, filename="cv.pdf", content_type="application/pdf"
    )
    response = await client.get(path_of(storage, url))
    assert response.status == 200
    assert await response.read() == BODY
    assert response.headers["Content-Disposition"].startswith("inline;")
    # the same signature does not allow a PUT, another file, or a later time
    assert (await put(client, storage, url))[0] == 403
    other = url.replace("a" * 32, "b" * 32)
    assert (await client.get(path_of(storage, other))).status == 403
    tampered = with_query(url, expires=str(int(time.time()) + 86400))
    assert (await client.get(tampered)).status == 403
    expired = await storage.download_url(
        KEY, expires_in=-1, filename="cv.pdf", content_type="application/pdf"
    )
    assert (await client.get(path_of(storage, expired))).status == 403


@pytest.mark.parametrize(
    "key", ["../secret_key", "incoming/resume/..%2F..%2Fsecret_key", "incoming/x/y.pdf"]
)
async def test_keys_the_server_never_issues_are_not_found(client, storage, key):
    assert not KEY_PATTERN.match(key)
    response = await client.put(
        "/storage/local/" + key, data=BODY, headers={"Content-Type": "application/pdf"}
    )
    assert response.status in (403, 404)
    with pytest.raises(ValueError):
        await storage.stat(key)


async def test_read_is_bounded(client, storage):
    with pytest.raises(ObjectNotFound):
        await storage.read(KEY, 10)
    await put(client, storage, (await grant(storage)).url)
    with pytest.raises(ObjectTooLarge):
        await storage.read(KEY, len(BODY) - 1)
    assert await storage.read(KEY, len(BODY)) == BODY
