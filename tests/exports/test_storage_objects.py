"""What the export needs from storage, on both backends: writing a file the server made
(``put_file``, once per key) and streaming an object into a file object (``read_into``)."""

from __future__ import annotations

import io
import zipfile

import pytest

from server import keys
from server.storage import ObjectNotFound, StorageError
from server.storage.local import LocalStorage
from tests.storage.conftest import simulated  # noqa: F401 - the B2 simulator fixture

KEY = "files/export/" + "e" * 32 + ".zip"
DATA = b"PK" + bytes(range(256)) * 1024  # 256 KiB: more than one chunk


@pytest.fixture
def local(client) -> LocalStorage:
    store = client.app[keys.STORAGE]
    assert isinstance(store, LocalStorage)
    return store


@pytest.fixture(params=["local", "b2"])
def storage(request):
    if request.param == "local":
        return request.getfixturevalue("local")
    store, _bucket = request.getfixturevalue("simulated")
    return store


async def test_a_file_is_stored_once_and_streamed_back(storage, tmp_path):
    source = tmp_path / "export.zip"
    source.write_bytes(DATA)
    info = await storage.put_file(KEY, source, content_type="application/zip")
    assert (info.key, info.size, info.content_type) == (KEY, len(DATA), "application/zip")
    stat = await storage.stat(KEY)
    assert (stat.size, stat.content_type) == (len(DATA), "application/zip")

    out = io.BytesIO()
    assert await storage.read_into(KEY, out) == len(DATA)
    assert out.getvalue() == DATA

    source.write_bytes(b"something else")
    with pytest.raises(StorageError):
        await storage.put_file(KEY, source, content_type="application/zip")
    assert await storage.read(KEY, len(DATA)) == DATA


async def test_an_object_streams_into_a_zip_member(storage, tmp_path):
    source = tmp_path / "cv.pdf"
    source.write_bytes(DATA)
    await storage.put_file(KEY, source, content_type="application/zip")
    archive_path = tmp_path / "out.zip"
    with zipfile.ZipFile(archive_path, "w") as archive, archive.open("files/cv.pdf", "w") as out:
        await storage.read_into(KEY, out)
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.read("files/cv.pdf") == DATA


async def test_a_missing_object_is_not_found(storage):
    with pytest.raises(ObjectNotFound):
        await storage.read_into(KEY, io.BytesIO())
    await storage.delete(KEY)  # nothing to delete is fine


async def test_a_deleted_export_is_gone_from_the_local_disk(local, tmp_path):
    source = tmp_path / "export.zip"
    source.write_bytes(DATA)
    await local.put_file(KEY, source, content_type="application/zip")
    path = local.file_path(KEY)
    assert path is not None and path.read_bytes() == DATA
    await local.delete(KEY)
    assert local.file_path(KEY) is None
    assert not path.exists()
