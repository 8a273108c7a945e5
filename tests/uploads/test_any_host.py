"""Uploads work from any host the server answers on (issue 14, item 5; docs/storage.md,
"Any host the server answers on"): the local store's upload URL is on the uploading page's
origin and its download redirect is a path, the stored reference stays PUBLIC_URL's, and
with B2 a page on an origin the bucket refuses is told what to change."""

from __future__ import annotations

import dataclasses

import pytest

from server.config import Settings
from server.errors import Forbidden
from server.uploads.service import UploadService

PDF = b"%PDF-1.4 any host"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The default PUBLIC_URL shape: a name the test server is not reached by."""
    return dataclasses.replace(settings, public_url="http://localhost:8080")


RESUME = {"purpose": "resume", "filename": "cv.pdf", "content_type": "application/pdf"}


async def grant_from(api, user, **headers: str) -> str:
    grant = await api.post(
        "/api/uploads/generate-url", {**RESUME, "size": 9}, as_=user, expect=201, headers=headers
    )
    return grant["upload_request"]["url"]


async def test_upload_url_follows_the_page_and_the_download_stays_on_its_host(api, client):
    origin = str(client.make_url("")).rstrip("/")  # http://127.0.0.1:<port>
    user = await api.sign_up(["student"])
    grant = await api.post(
        "/api/uploads/generate-url",
        {**RESUME, "size": len(PDF)},
        as_=user,
        expect=201,
        headers={"Origin": origin},
    )
    assert grant["upload_request"]["url"].startswith(f"{origin}/storage/local/incoming/")
    put = await api.put_upload(grant, PDF)
    assert put.status == 200
    done = await api.post(f"/api/uploads/{grant['upload']['id']}/complete", as_=user, expect=200)
    # The permanent reference is PUBLIC_URL's, whichever host the file came through.
    assert done["url"] == f"http://localhost:8080/api/files/{done['id']}"
    opened = await api.open_file(done["url"], as_=user)
    assert opened.status == 302
    # A path: the browser stays on the host and scheme it opened the reference with.
    assert opened.headers["Location"].startswith("/storage/local/incoming/")
    assert await api.download(done["url"], as_=user) == PDF


async def test_the_pages_origin_decides_not_a_host_header_a_proxy_rewrote(api):
    user = await api.sign_up(["student"])
    # A phone on the LAN, over TLS.
    url = await grant_from(api, user, Host="192.168.1.20:8080", Origin="https://192.168.1.20:8080")
    assert url.startswith("https://192.168.1.20:8080/storage/local/")
    # nginx in front with proxy_pass http://127.0.0.1:8080: the Host it sends is its
    # upstream's, the page is on the public name.
    url = await grant_from(api, user, Host="127.0.0.1:8080", Origin="https://rizeos.example")
    assert url.startswith("https://rizeos.example/storage/local/")


async def test_no_origin_or_an_odd_one_falls_back_to_public_url(api):
    user = await api.sign_up(["student"])
    for headers in ({}, {"Origin": "null"}, {"Origin": "http://evil.example/<script>"}):
        url = await grant_from(api, user, Host="evil.example", **headers)
        assert url.startswith("http://localhost:8080/storage/local/"), headers


class BucketElsewhere:
    """Only the backend's name matters to the origin check: a store the app does not serve."""

    name = "b2"


def test_b2_refuses_a_page_origin_its_bucket_does_not_allow_saying_what_to_change(settings):
    b2 = dataclasses.replace(settings, upload_cors_origins=("https://app.example",))
    service = UploadService(None, BucketElsewhere(), b2)
    service.check_upload_origin(None)  # curl, scripts: no Origin header, no CORS
    service.check_upload_origin("https://app.example")
    with pytest.raises(Forbidden) as refused:
        service.check_upload_origin("http://127.0.0.1:8080")
    message = str(refused.value)
    assert "open RizeOS at https://app.example" in message
    assert "add http://127.0.0.1:8080 to UPLOAD_CORS_ORIGINS" in message
    assert "python -m server storage-setup" in message
