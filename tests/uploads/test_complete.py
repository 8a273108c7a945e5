"""POST /api/uploads/{id}/complete: the object is checked against the declaration."""

from __future__ import annotations

import hashlib

from server import keys

PDF = b"%PDF-1.4 complete me"


async def test_completing_before_uploading_is_409_and_the_upload_stays_usable(api, rows):
    ana = await api.sign_up()
    grant = await api.grant_upload(ana, "resume", len(PDF))
    upload_id = grant["upload"]["id"]
    problem = await api.post(f"/api/uploads/{upload_id}/complete", as_=ana, expect=409)
    assert "nothing has been uploaded" in problem["detail"]
    assert (await rows.get(upload_id))["status"] == "pending"
    assert (await api.put_upload(grant, PDF)).status == 200
    done = await api.post(f"/api/uploads/{upload_id}/complete", as_=ana, expect=200)
    assert done["status"] == "complete"


async def test_only_the_owner_completes(api, rows):
    ana, bob = await api.sign_up(), await api.sign_up()
    grant = await api.grant_upload(ana, "resume", len(PDF))
    await api.put_upload(grant, PDF)
    upload_id = grant["upload"]["id"]
    await api.post(f"/api/uploads/{upload_id}/complete", as_=bob, expect=404)
    await api.post(f"/api/uploads/{upload_id}/complete", expect=401)
    await api.post("/api/uploads/00000000-0000-0000-0000-000000000000/complete", as_=ana,
                   expect=404)  # fmt: skip
    assert (await rows.get(upload_id))["status"] == "pending"


async def test_a_mismatched_object_is_deleted_and_the_upload_fails(api, client, rows):
    """A store that does not enforce the grant (here: bytes put there behind the grant's
    back) is caught at completion: wrong size or type is a 422 and the object is gone."""
    ana = await api.sign_up()
    grant = await api.grant_upload(ana, "resume", 100)
    upload_id = grant["upload"]["id"]
    key = (await rows.get(upload_id))["object_key"]
    storage = client.app[keys.STORAGE]
    rogue = await storage.upload_grant(
        key, content_type="application/pdf", size=len(PDF), expires_in=60
    )
    await api.put_upload({"upload_request": {"method": "PUT", "url": rogue.url,
                                             "headers": rogue.headers}}, PDF)  # fmt: skip
    assert await storage.stat(key) is not None

    problem = await api.post(f"/api/uploads/{upload_id}/complete", as_=ana, expect=422)
    assert [e["field"] for e in problem["errors"]] == ["size"]
    assert "deleted" in problem["detail"]
    assert await storage.stat(key) is None
    row = await rows.get(upload_id)
    assert row["status"] == "failed" and row["url"] is None
    # it stays failed; the grant cannot put anything there again either
    await api.post(f"/api/uploads/{upload_id}/complete", as_=ana, expect=409)
    assert (await api.put_upload(grant, b"x" * 100)).status == 409


async def test_a_wrong_type_in_the_store_is_a_422(api, client, rows):
    ana = await api.sign_up()
    grant = await api.grant_upload(ana, "resume", len(PDF))
    upload_id = grant["upload"]["id"]
    key = (await rows.get(upload_id))["object_key"]
    storage = client.app[keys.STORAGE]
    rogue = await storage.upload_grant(key, content_type="image/png", size=len(PDF), expires_in=60)
    await api.put_upload({"upload_request": {"method": "PUT", "url": rogue.url,
                                             "headers": rogue.headers}}, PDF)  # fmt: skip
    problem = await api.post(f"/api/uploads/{upload_id}/complete", as_=ana, expect=422)
    assert [e["field"] for e in problem["errors"]] == ["content_type"]
    assert await storage.stat(key) is None


async def test_a_declared_checksum_is_kept_and_checked(api, rows):
    ana = await api.sign_up()
    digest = hashlib.sha256(PDF).hexdigest()
    grant = await api.grant_upload(ana, "resume", len(PDF), sha256=digest)
    assert (await api.put_upload(grant, PDF)).status == 200
    done = await api.post(f"/api/uploads/{grant['upload']['id']}/complete", as_=ana, expect=200)
    assert done["sha256"] == digest


async def test_an_expired_upload_cannot_be_completed(api, rows):
    ana = await api.sign_up()
    grant = await api.grant_upload(ana, "resume", len(PDF))
    await api.put_upload(grant, PDF)
    await rows.expire(grant["upload"]["id"])
    problem = await api.post(f"/api/uploads/{grant['upload']['id']}/complete", as_=ana,
                             expect=409)  # fmt: skip
    assert "expired" in problem["detail"]


async def test_my_uploads_are_listed_newest_first_in_pages(api):
    ana, bob = await api.sign_up(), await api.sign_up()
    done = [await api.upload(ana, "resume") for _ in range(3)]
    await api.grant_upload(ana, "gig_media", 10)
    await api.upload(bob, "resume")
    first = await api.get("/api/uploads?limit=2", as_=ana, expect=200)
    second = await api.get(f"/api/uploads?limit=2&cursor={first['next']}", as_=ana, expect=200)
    assert second["next"] is None
    assert len(first["items"]) + len(second["items"]) == 4
    completed = await api.get("/api/uploads?status=complete&purpose=resume", as_=ana, expect=200)
    assert [u["id"] for u in completed["items"]] == [u["id"] for u in reversed(done)]
    await api.get("/api/uploads", expect=401)
