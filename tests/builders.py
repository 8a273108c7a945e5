"""Builders of test entities, made through the REST API the way a user makes them:
organizations, jobs, and uploads through the real flow (grant → HTTP PUT to the store →
complete). A mixin of ``tests.client.Api`` (whose ``post``, ``client`` and ``local_path``
they use), so tests call them as ``api.company(owner)`` or ``api.upload(owner, "resume")``."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from tests.client import User


def _tiers_take_revisions() -> bool:
    from server.gigs import schemas

    return "revisions" in schemas.Tier.__struct_fields__


class Builders:
    if TYPE_CHECKING:  # provided by tests.client.Api
        client: Any

        async def post(self, path: str, json: Any = None, as_: User | None = None, **kw: Any): ...

        def local_path(self, url: str) -> str: ...

    async def company(self, owner: User, name: str = "Acme Corp", **fields: Any) -> dict:
        body = {"name": name, "type": "company", **fields}
        return await self.post("/api/organizations", body, as_=owner, expect=201)

    async def institute(self, owner: User, name: str = "State University", **fields: Any) -> dict:
        body = {"name": name, "type": "institute", **fields}
        return await self.post("/api/organizations", body, as_=owner, expect=201)

    async def job(self, poster: User, company_id: str, **fields: Any) -> dict:
        body = {
            "company_id": company_id,
            "title": "Backend Intern",
            "description": "Build APIs in Python with PostgreSQL.",
            "skills_required": ["python", "postgresql"],
            "employment_type": "internship",
            **fields,
        }
        return await self.post("/api/jobs", body, as_=poster, expect=201)

    # -- gigs and orders (issue 16) -------------------------------------------------------

    GIG_TIERS = {
        "basic": {
            "price": 5000,
            "currency": "USD",
            "delivery_days": 3,
            "description": "One landing page",
            "revisions": 1,
        },
        "standard": {
            "price": 15000,
            "currency": "USD",
            "delivery_days": 7,
            "description": "Three pages and a contact form",
            "revisions": 2,
        },
        "premium": {
            "price": 40000,
            "currency": "USD",
            "delivery_days": 14,
            "description": "A whole site",
            "revisions": 3,
        },
    }

    async def gig(self, freelancer: User, **fields: Any) -> dict:
        """A gig of `freelancer`'s (who needs the freelancer role) with all three tiers.
        Tiers carry `revisions` once the gig schema has it; before that it is left out."""
        tiers = fields.pop("pricing_tiers", None)
        if tiers is None:
            tiers = {name: dict(tier) for name, tier in self.GIG_TIERS.items()}
            if not _tiers_take_revisions():
                for tier in tiers.values():
                    tier.pop("revisions")
        body = {
            "title": "I will build your landing page",
            "description": "Responsive, fast, accessible.",
            "skills": ["HTML", "CSS"],
            "pricing_tiers": tiers,
            **fields,
        }
        return await self.post("/api/gigs", body, as_=freelancer, expect=201)

    async def order(
        self,
        buyer: User,
        gig_id: str,
        tier: str = "basic",
        requirements: str = "A page for my bakery: menu, hours, a map.",
        **fields: Any,
    ) -> dict:
        body = {"tier": tier, "requirements": requirements, **fields}
        return await self.post(f"/api/gigs/{gig_id}/orders", body, as_=buyer, expect=201)

    async def order_action(
        self, user: User, order_id: str, action: str, body: Any = None, expect: int = 200
    ) -> dict:
        """POST /api/orders/{id}/{action} as `user`; the answer (the order, or a problem)."""
        return await self.post(f"/api/orders/{order_id}/{action}", body, as_=user, expect=expect)

    # -- uploads: the real flow (grant → HTTP PUT to the store → complete) ----------------

    UPLOAD_DEFAULTS = {
        "resume": ("resume.pdf", "application/pdf"),
        "job_attachment": ("benefits.pdf", "application/pdf"),
        "gig_media": ("shot.png", "image/png"),
        "portfolio": ("project.png", "image/png"),
        "org_logo": ("logo.png", "image/png"),
        "avatar": ("me.png", "image/png"),
        "message_attachment": ("notes.pdf", "application/pdf"),
        "order_file": ("brief.pdf", "application/pdf"),
    }

    async def grant_upload(
        self,
        owner: User,
        purpose: str,
        size: int,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        expect: int = 201,
        **extra: Any,
    ) -> dict:
        default_name, default_type = self.UPLOAD_DEFAULTS[purpose]
        body = {
            "purpose": purpose,
            "filename": filename or default_name,
            "content_type": content_type or default_type,
            "size": size,
            **extra,
        }
        return await self.post("/api/uploads/generate-url", body, as_=owner, expect=expect)

    async def put_upload(
        self, grant: dict, data: bytes, headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        """PUT the bytes to the grant's URL over real HTTP, as a browser would."""
        request = grant["upload_request"]
        response = await self.client.request(
            request["method"],
            self.local_path(request["url"]),
            data=data,
            headers=request["headers"] if headers is None else headers,
        )
        await response.read()
        return response

    async def upload(
        self,
        owner: User,
        purpose: str,
        data: bytes | None = None,
        *,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> dict:
        """Upload a file through the whole flow; returns the completed upload, whose `url`
        is the reference to attach (resume_url, attachments, media, logo_url, ...)."""
        data = data if data is not None else b"%test file " + uuid.uuid4().bytes
        grant = await self.grant_upload(
            owner, purpose, len(data), filename=filename, content_type=content_type
        )
        response = await self.put_upload(grant, data)
        assert response.status == 200, f"PUT to storage: {response.status}"
        upload_id = grant["upload"]["id"]
        return await self.post(f"/api/uploads/{upload_id}/complete", as_=owner, expect=200)

    async def job_attachments(self, owner: User) -> list[dict]:
        """A PDF and a video uploaded by `owner`, as a job's `attachments`."""
        pdf = await self.upload(owner, "job_attachment", b"%PDF-1.4 benefits")
        video = await self.upload(
            owner, "job_attachment", b"mp4 tour", filename="tour.mp4", content_type="video/mp4"
        )
        return [
            {"title": "Company Benefits", "type": "pdf", "url": pdf["url"]},
            {"title": "Office Tour", "type": "video", "url": video["url"]},
        ]
