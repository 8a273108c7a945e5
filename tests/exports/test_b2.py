"""The export on the B2 backend (b2sdk's in-process simulator): built into a B2 object with
the person's uploaded file streamed from B2, then expired (deleted from the bucket)."""

from __future__ import annotations

import io
import uuid
import zipfile

from server import keys
from server.exports.service import ExportService
from tests.storage.conftest import simulated  # noqa: F401 - the B2 simulator fixture

CV = b"%PDF-1.4 kept in B2"


async def test_an_export_is_stored_in_b2_and_deleted_when_it_expires(api, db, client, simulated):  # noqa: F811
    storage, bucket = simulated
    user = await api.sign_up(["student"], full_name="Bea Bucket")
    upload_id = uuid.uuid4()
    key = f"files/resume/{upload_id.hex}.pdf"
    bucket.upload_bytes(CV, key, content_type="application/pdf")
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO uploads (id, owner_id, purpose, object_key, filename, content_type,"
            " size, status, url, completed_at, expires_at)"
            " VALUES ($1, $2, 'resume', $3, 'cv.pdf', 'application/pdf', $4, 'complete',"
            " 'https://files.example/cv', now(), now())",
            upload_id,
            user.id,
            key,
            len(CV),
        )
    service = ExportService(db, storage, client.app[keys.SETTINGS])
    asked = await service.request(user.id)
    assert await service.build(asked.id)
    async with db.connection() as conn:
        object_key = await conn.fetchval(
            "SELECT object_key FROM data_exports WHERE id = $1", asked.id
        )
    info = await storage.stat(object_key)
    assert info.content_type == "application/zip"
    out = io.BytesIO()
    await storage.read_into(object_key, out)
    with zipfile.ZipFile(out) as archive:
        assert archive.read(f"files/resume/{upload_id}-cv.pdf") == CV
    url = await storage.download_url(
        object_key, expires_in=60, filename="rizeos-export.zip", content_type="application/zip"
    )
    assert object_key in url and "Authorization=" in url

    assert await service.expire(asked.id)
    assert await storage.stat(object_key) is None
    assert (await service.latest(user.id)).status == "expired"
    assert await service.expire(asked.id) is False  # a second delivery: nothing to do
