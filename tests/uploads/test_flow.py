"""The upload flow end to end over real HTTP with the local backend: grant, PUT, complete,
download through /api/files."""

from __future__ import annotations

import hashlib

from server import keys

PDF = b"%PDF-1.4\n" + b"x" * 2000


async def test_a_file_goes_through_grant_put_complete_and_download(api, client, settings):
    ana = await api.sign_up(["student"])
    grant = await api.grant_upload(ana, "resume", len(PDF), filename="Ana Resume (final).pdf")
    upload = grant["upload"]
    assert upload["status"] == "pending"
    assert upload["url"] is None
    request = grant["upload_request"]
    assert request["method"] == "PUT"
    assert request["headers"] == {"Content-Type": "application/pdf"}
    # The server chose the key; the client's filename is nowhere in the URL.
    assert "Ana" not in request["url"] and "final" not in request["url"]
    assert "/incoming/resume/" in request["url"]

    response = await api.put_upload(grant, PDF)
    assert response.status == 200

    done = await api.post(f"/api/uploads/{upload['id']}/complete", as_=ana, expect=200)
    assert done["status"] == "complete"
    assert done["url"] == f"{settings.public_url}/api/files/{upload['id']}"
    assert done["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert done["completed_at"] is not None

    again = await api.post(f"/api/uploads/{upload['id']}/complete", as_=ana, expect=200)
    assert again == done

    opened = await api.open_file(done["url"], as_=ana)
    assert opened.status == 302
    assert await api.download(done["url"], as_=ana) == PDF
    body = await client.get(api.local_path(opened.headers["Location"]))
    assert body.headers["Content-Type"] == "application/pdf"
    assert body.headers["X-Content-Type-Options"] == "nosniff"
    assert "Ana%20Resume%20%28final%29.pdf" in body.headers["Content-Disposition"]

    listed = await api.get("/api/uploads", as_=ana, expect=200)
    assert [u["id"] for u in listed["items"]] == [upload["id"]]


async def test_the_upload_helper_returns_a_completed_upload(api, client):
    owner = await api.sign_up(["freelancer"])
    upload = await api.upload(owner, "gig_media", b"\x89PNG picture")
    assert upload["status"] == "complete"
    storage = client.app[keys.STORAGE]
    row_key = f"incoming/gig_media/{upload['id'].replace('-', '')}.png"
    assert await storage.read(row_key, 100) == b"\x89PNG picture"
