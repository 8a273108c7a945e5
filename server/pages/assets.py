"""/favicon.ico: browsers ask for it at the root whatever the page links, so answer it (the
icon under static/img) instead of a 404 on every first visit."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.pages.web import routes

FAVICON = Path(__file__).resolve().parents[2] / "static" / "img" / "favicon.ico"


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        FAVICON,
        headers={"Content-Type": "image/x-icon", "Cache-Control": "public, max-age=86400"},
    )
