"""POST /api/uploads/generate-url: every refusal happens before any grant or row exists."""

from __future__ import annotations

import pytest

MB = 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("purpose", "filename", "content_type", "size"),
    [
        ("resume", "cv.pdf", "application/pdf", 10 * MB),
        ("resume", "CV.DOCX", DOCX, 1),
        ("job_attachment", "tour.mp4", "video/mp4", 200 * MB),
        ("job_attachment", "benefits.pdf", "application/pdf", 10 * MB),
        ("gig_media", "shot.jpeg", "image/jpeg", 10 * MB),
        ("gig_media", "demo.webm", "video/webm", 200 * MB),
        ("portfolio", "case study.pdf", "application/pdf", 5 * MB),
        ("org_logo", "logo.webp", "image/webp", 2 * MB),
        ("message_attachment", "notes.docx", DOCX, 25 * MB),
        ("order_file", "brief.docx", DOCX, 25 * MB),
        ("order_file", "mockup.png", "image/png", 25 * MB),
        ("order_file", "delivery.mov", "video/quicktime", 100 * MB),
        ("resume", "résumé ünïcode.pdf", "application/pdf", 100),
    ],
)
async def test_allowed_types_and_sizes_get_a_grant(api, purpose, filename, content_type, size):
    user = await api.sign_up(["student"])
    grant = await api.grant_upload(
        user, purpose, size, filename=filename, content_type=content_type
    )
    assert grant["upload"]["purpose"] == purpose
    assert grant["upload"]["size"] == size
    assert grant["upload"]["filename"] == filename
    assert grant["upload_request"]["headers"]["Content-Type"] == content_type


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filename": "../../etc/passwd.pdf"}, "body.filename"),
        ({"filename": "dir/cv.pdf"}, "body.filename"),
        ({"filename": "C:\\Users\\ana\\cv.pdf"}, "body.filename"),
        ({"filename": "cv\x00.pdf"}, "body.filename"),
        ({"filename": "cv\n.pdf"}, "body.filename"),
        ({"filename": "cv.exe"}, "body.filename"),
        ({"filename": "cv.pdf.exe"}, "body.filename"),
        ({"filename": "cv.docx"}, "body.filename"),
        ({"filename": ".pdf"}, None),
        ({"filename": ""}, "body.filename"),
        ({"filename": "a" * 252 + ".pdf"}, "body.filename"),
        ({"content_type": "text/html", "filename": "cv.html"}, "body.content_type"),
        ({"content_type": "image/svg+xml", "filename": "cv.svg"}, "body.content_type"),
        ({"content_type": "video/mp4", "filename": "cv.mp4"}, "body.content_type"),
        ({"size": 0}, "body.size"),
        ({"size": -5}, "body.size"),
        ({"size": 10 * MB + 1}, "body.size"),
        ({"size": "12"}, "body.size"),
        ({"purpose": "cover_letter"}, "body.purpose"),
        ({"sha256": "not-a-checksum"}, "body.sha256"),
        ({"extra": 1}, None),
    ],
)
async def test_bad_requests_are_422_and_grant_nothing(api, rows, body, field):
    user = await api.sign_up(["student"])
    request = {
        "purpose": "resume",
        "filename": "cv.pdf",
        "content_type": "application/pdf",
        "size": 100,
        **body,
    }
    problem = await api.post("/api/uploads/generate-url", request, as_=user, expect=422)
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem
    assert await rows.count() == 0


@pytest.mark.parametrize(
    ("purpose", "content_type", "filename", "size"),
    [
        ("gig_media", "image/png", "big.png", 10 * MB + 1),
        ("gig_media", "video/mp4", "huge.mp4", 200 * MB + 1),
        ("org_logo", "image/png", "logo.png", 2 * MB + 1),
        ("org_logo", "application/pdf", "logo.pdf", 100),
        ("gig_media", "application/pdf", "doc.pdf", 100),
        ("order_file", "application/pdf", "big.pdf", 25 * MB + 1),
        ("order_file", "video/mp4", "huge.mp4", 100 * MB + 1),
        ("order_file", "text/html", "page.html", 100),
    ],
)
async def test_each_purpose_has_its_own_limits(api, rows, purpose, content_type, filename, size):
    user = await api.sign_up(["freelancer"])
    await api.grant_upload(
        user, purpose, size, filename=filename, content_type=content_type, expect=422
    )
    assert await rows.count() == 0


async def test_only_verified_users_get_grants(api, rows):
    unverified = await api.sign_up(["student"], verified=False)
    await api.grant_upload(unverified, "resume", 10, expect=403)
    body = {"purpose": "resume", "filename": "cv.pdf", "content_type": "application/pdf", "size": 1}
    await api.post("/api/uploads/generate-url", body, expect=401)
    assert await rows.count() == 0


async def test_the_grant_expires_within_the_configured_ttl(api, settings):
    from datetime import UTC, datetime

    user = await api.sign_up(["student"])
    grant = await api.grant_upload(user, "resume", 10)
    expires = datetime.fromisoformat(grant["upload_request"]["expires_at"])
    remaining = (expires - datetime.now(UTC)).total_seconds()
    assert 0 < remaining <= settings.upload_grant_ttl_seconds <= 900


async def test_open_grants_per_user_are_capped(api, rows):
    from server.uploads.service import MAX_PENDING_PER_USER

    ana, bob = await api.sign_up(), await api.sign_up()
    grants = [await api.grant_upload(ana, "resume", 3) for _ in range(MAX_PENDING_PER_USER)]
    problem = await api.grant_upload(ana, "resume", 3, expect=429)
    assert "in progress" in problem["detail"]
    assert await rows.count() == MAX_PENDING_PER_USER
    await api.grant_upload(bob, "resume", 3)  # per user
    # completing one frees a place; so does one expiring
    await api.put_upload(grants[0], b"abc")
    await api.post(f"/api/uploads/{grants[0]['upload']['id']}/complete", as_=ana, expect=200)
    await api.grant_upload(ana, "resume", 3)
    await rows.expire(grants[1]["upload"]["id"])
    await api.grant_upload(ana, "resume", 3)
    await api.grant_upload(ana, "resume", 3, expect=429)
