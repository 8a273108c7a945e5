"""Resumes made by the tests as real files (fpdf2 PDFs, python-docx DOCX), and an app that
runs the enrichment worker in-process (RUN_WORKER=yes) against the test database."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import time
import zipfile

import docx
import pytest
from fpdf import FPDF
from PIL import Image

from server.config import Settings
from tests.client import Api, User

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ADA_RESUME = """Ada Lovelace
ada@example.com | linkedin.com/in/ada-lovelace | https://github.com/ada-l

Summary
Backend developer who ships APIs with Docker on AWS.

Skills
Python, Postgres, Kubernetes (k8s), Machine Learning, REST APIs, Go, C++

Experience
Software Engineer at Acme Corp, Jan 2021 - Present
Built REST APIs in Python.
Data Intern | Globex
06/2019 - 08/2020

Education
State University, Bachelor of Science in Computer Science, 2016 - 2020
"""
ADA_SKILLS = [
    "Docker",
    "AWS",
    "Python",
    "Postgres",
    "Kubernetes",
    "Machine Learning",
    "REST APIs",
    "Go",
    "C++",
]


def pdf_resume(text: str = ADA_RESUME, pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in range(pages):
        pdf.add_page()
        if page == 0:
            for line in text.splitlines():
                pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(0, 6, f"Page {page + 1}")
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    image = Image.new("RGB", (600, 300), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=180)
    return bytes(pdf.output())


def docx_resume(text: str = ADA_RESUME) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_zip_bomb(megabytes: int = 200) -> bytes:
    """A DOCX whose document is valid but which also holds ``megabytes`` of zeros, deflated
    to a few hundred KB."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_resume()), "r") as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        with bomb.open("word/media/padding.bin", "w") as entry:
            chunk = bytes(1_048_576)
            for _ in range(megabytes):
                entry.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app under test runs the worker in-process, as the embedded default does."""
    return dataclasses.replace(settings, run_worker="yes", resume_max_pages=10)


async def upload_resume(
    api: Api, user: User, data: bytes, kind: str = "pdf", filename: str | None = None
) -> str:
    content_type, name = (PDF_TYPE, "resume.pdf") if kind == "pdf" else (DOCX_TYPE, "cv.docx")
    upload = await api.upload(
        user, "resume", data, filename=filename or name, content_type=content_type
    )
    return upload["url"]


async def wait_finished(api: Api, user: User, enrichment_id: str, within: float = 60) -> dict:
    deadline = time.monotonic() + within
    while True:
        job = await api.get(f"/api/ai/jobs/{enrichment_id}", as_=user, expect=200)
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, f"enrichment still {job['status']}: {job}"
        await asyncio.sleep(0.1)


async def enrich(api: Api, user: User, data: bytes, kind: str = "pdf") -> dict:
    """Upload ``data`` as the user's resume, put it on the profile (which queues the
    enrichment), and wait for the job to finish."""
    url = await upload_resume(api, user, data, kind)
    await api.patch(f"/api/profiles/{user.id}", {"resume_url": url}, as_=user, expect=200)
    # The PATCH queued it; asking again answers with the same pending job.
    job = await api.post("/api/ai/process-profile", {"user_id": str(user.id)}, as_=user, expect=202)
    return await wait_finished(api, user, job["id"])
