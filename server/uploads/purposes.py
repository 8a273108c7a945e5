"""What each kind of upload may be: its content types, their size limits, and who reads it.

The content type decides the extension the stored object gets and the extensions a client's
filename may have; nothing here trusts the filename beyond that check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MB = 1024 * 1024

PurposeName = Literal[
    "resume",
    "job_attachment",
    "gig_media",
    "portfolio",
    "org_logo",
    "message_attachment",
    "avatar",
    "order_file",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# content type -> allowed filename extensions (the first is the stored object's)
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    DOCX: (".docx",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "video/mp4": (".mp4", ".m4v"),
    "video/webm": (".webm",),
    "video/quicktime": (".mov",),
}

IMAGES = ("image/jpeg", "image/png", "image/webp", "image/gif")
VIDEOS = ("video/mp4", "video/webm", "video/quicktime")
DOCUMENTS = (PDF, DOCX)
PHOTOS = ("image/png", "image/jpeg", "image/webp")  # logos and profile photos


def kind_of(content_type: str) -> Literal["pdf", "document", "image", "video"]:
    """The coarse kind jobs and galleries label their media with."""
    if content_type == PDF:
        return "pdf"
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("video/"):
        return "video"
    return "document"


@dataclass(frozen=True, slots=True)
class Purpose:
    name: str
    limits: dict[str, int]  # content type -> largest size in bytes
    public: bool  # readable by anyone once attached (private: rules in server/uploads)


def _limits(*groups: tuple[tuple[str, ...], int]) -> dict[str, int]:
    return {content_type: limit for types, limit in groups for content_type in types}


PURPOSES: dict[str, Purpose] = {
    p.name: p
    for p in (
        Purpose("resume", _limits((DOCUMENTS, 10 * MB)), public=False),
        Purpose(
            "job_attachment",
            _limits((DOCUMENTS, 10 * MB), (IMAGES, 10 * MB), (VIDEOS, 200 * MB)),
            public=True,
        ),
        Purpose("gig_media", _limits((IMAGES, 10 * MB), (VIDEOS, 200 * MB)), public=True),
        Purpose(
            "portfolio",
            _limits((IMAGES, 10 * MB), (VIDEOS, 200 * MB), ((PDF,), 10 * MB)),
            public=True,
        ),
        # No SVG anywhere: it can carry script.
        Purpose("org_logo", _limits((PHOTOS, 2 * MB)), public=True),
        Purpose("avatar", _limits((PHOTOS, 2 * MB)), public=True),
        Purpose(
            "message_attachment",
            _limits((DOCUMENTS, 25 * MB), (IMAGES, 25 * MB), (VIDEOS, 100 * MB)),
            public=False,
        ),
        # An order's requirements attachments and delivered files (issue 16): private to
        # the order's buyer and seller (server/uploads/service.py), sized like chat files.
        Purpose(
            "order_file",
            _limits((DOCUMENTS, 25 * MB), (IMAGES, 25 * MB), (VIDEOS, 100 * MB)),
            public=False,
        ),
    )
}
