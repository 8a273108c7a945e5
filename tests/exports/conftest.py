"""Helpers for data export tests: the real job worker, a person with data in every corner
that matters (a resume file, an application, a message, a notification), and the ZIP as
the API serves it."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import pytest

from server.config import Settings
from tests.client import User
from tests.messaging.live import Hiring, hiring
from tests.messaging.test_missed_email import RunningWorker
from tests.waits import eventually

RESUME = b"%PDF-1.4 Cam Candidate's resume " + bytes(range(256))


@pytest.fixture
async def worker(client, settings: Settings):
    running = RunningWorker(client.app, settings)
    yield running
    await running.stop()


@dataclass
class Person:
    """The candidate of a hiring set-up, with a resume uploaded, a message sent in the
    conversation about their application, and a notification (the application viewed)."""

    hiring: Hiring
    resume: dict
    message: dict
    others_message: dict

    @property
    def user(self) -> User:
        return self.hiring.candidate


@pytest.fixture
async def person(api, db) -> Person:
    chat, h = await hiring(api, db)
    resume = await api.upload(h.candidate, "resume", RESUME, filename="Cam CV.pdf")
    mine = await chat.send(h.candidate, h.conversation, "Thanks, I am keen on this role")
    theirs = await chat.send(h.recruiter, h.conversation, "Recruiter's private reply")
    await api.post(
        f"/api/applications/{h.application_id}/status", {"status": "viewed"}, as_=h.admin
    )
    return Person(hiring=h, resume=resume, message=mine, others_message=theirs)


async def status(api, user: User) -> dict:
    return await api.get("/api/me/export/status", as_=user, expect=200)


async def ready(api, user: User) -> dict:
    async def check():
        export = await status(api, user)
        assert export["status"] not in ("failed", "expired"), export
        return export if export["status"] == "ready" else None

    return await eventually(check, within=30, what="the export to become ready")


async def download(api, user: User) -> zipfile.ZipFile:
    response = await api.client.get("/api/me/export", headers=user.headers)
    body = await response.read()
    assert response.status == 200, (response.status, body[:500])
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "rizeos-export-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    return archive


def rows(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def everything(archive: zipfile.ZipFile) -> bytes:
    return b"\n".join(archive.read(name) for name in archive.namelist())
