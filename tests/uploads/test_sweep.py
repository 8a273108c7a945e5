"""Abandoned pending uploads expire and their objects are deleted, by a call and by the
web process's periodic task."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp

from server import keys
from server.app import create_app
from server.uploads.service import UploadService
from tests.client import Api
from tests.uploads.conftest import Rows


async def test_sweep_expires_abandoned_uploads_and_deletes_their_objects(api, client, rows):
    ana = await api.sign_up()
    uploaded = await api.grant_upload(ana, "resume", 3)
    await api.put_upload(uploaded, b"abc")
    never_sent = await api.grant_upload(ana, "resume", 3)
    in_flight = await api.grant_upload(ana, "resume", 3)
    done = await api.upload(ana, "resume", b"kept")
    for grant in (uploaded, never_sent):
        await rows.expire(grant["upload"]["id"])
    app = client.app
    storage = app[keys.STORAGE]
    key = (await rows.get(uploaded["upload"]["id"]))["object_key"]
    assert await storage.stat(key) is not None

    service = UploadService(app[keys.DB], storage, app[keys.SETTINGS])
    assert await service.sweep() == 2
    assert await service.sweep() == 0

    assert await storage.stat(key) is None
    for grant in (uploaded, never_sent):
        assert (await rows.get(grant["upload"]["id"]))["status"] == "expired"
    assert (await rows.get(in_flight["upload"]["id"]))["status"] == "pending"
    assert (await rows.get(done["id"]))["status"] == "complete"
    assert await api.download(done["url"], ana) == b"kept"
    # The grant cannot bring the object back, and the upload cannot be completed.
    assert (await api.put_upload(uploaded, b"abc")).status == 409
    await api.post(f"/api/uploads/{uploaded['upload']['id']}/complete", as_=ana, expect=409)


async def test_the_web_process_sweeps_periodically(settings, aiohttp_client, mailbox):
    fast = dataclasses.replace(settings, upload_sweep_interval_seconds=0.05)
    client = await aiohttp_client(create_app(fast), cookie_jar=aiohttp.DummyCookieJar())
    api = Api(client, mailbox)
    ana = await api.sign_up()
    grant = await api.grant_upload(ana, "resume", 3)
    await api.put_upload(grant, b"abc")
    rows = Rows(client.app[keys.DB])
    await rows.expire(grant["upload"]["id"])
    for _ in range(100):
        if (await rows.get(grant["upload"]["id"]))["status"] == "expired":
            break
        await asyncio.sleep(0.05)
    assert (await rows.get(grant["upload"]["id"]))["status"] == "expired"
    key = (await rows.get(grant["upload"]["id"]))["object_key"]
    assert await client.app[keys.STORAGE].stat(key) is None
