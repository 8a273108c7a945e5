"""Bad files end their enrichment `failed` with a clear reason; the worker carries on."""

from __future__ import annotations

import pytest

from server.enrichment.extract import Limits, UnreadableResume, extract_text
from tests.enrichment.conftest import (
    docx_zip_bomb,
    enrich,
    image_only_pdf,
    pdf_resume,
)


@pytest.mark.parametrize(
    ("make", "kind", "reason"),
    [
        (lambda: b"%PDF-1.7\n" + b"\x00garbage" * 500, "pdf", "corrupt or unreadable PDF"),
        (image_only_pdf, "pdf", "no text found in the PDF"),
        (lambda: pdf_resume(pages=11), "pdf", "the PDF has 11 pages; a resume may have at most 10"),
        (docx_zip_bomb, "docx", "looks like a zip bomb"),
        (lambda: b"PK\x03\x04" + b"\x01" * 300, "docx", "corrupt DOCX"),
    ],
    ids=["corrupt-pdf", "image-only-pdf", "too-many-pages", "docx-zip-bomb", "corrupt-docx"],
)
async def test_a_bad_file_fails_with_its_reason_and_the_worker_goes_on(api, make, kind, reason):
    ada = await api.sign_up(["student"])
    job = await enrich(api, ada, make(), kind=kind)
    assert job["status"] == "failed"
    assert reason in job["error"]
    assert job["attempts"] == 1  # a bad file is not retried
    assert job["finished_at"] is not None
    profile = await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200)
    assert profile["skills"]["claimed"] == []

    # The same worker then reads a good resume.
    assert (await enrich(api, ada, pdf_resume()))["status"] == "succeeded"


async def test_reading_a_file_is_cut_off_at_the_time_limit():
    with pytest.raises(UnreadableResume, match=r"took longer than 0\.01 s"):
        await extract_text(pdf_resume(), Limits(timeout_seconds=0.01))


async def test_a_file_that_is_neither_pdf_nor_docx_is_refused_without_a_child_process():
    with pytest.raises(UnreadableResume, match="unsupported file type"):
        await extract_text(b"\x89PNG\r\n\x1a\n" + bytes(100), Limits())
