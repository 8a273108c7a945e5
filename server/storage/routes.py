"""The local backend's upload and download URLs, served by our own app.

They sit outside ``/api``: the signature in the URL is the whole authorization (no session,
no CSRF token), exactly like a presigned URL of the real object store. With the B2 backend
configured these routes answer 404.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from server import keys
from server.storage.base import KEY_PATTERN
from server.storage.local import CHUNK, ROUTE_PREFIX, GrantRefused, LocalStorage

routes = web.RouteTableDef()

INLINE_TYPES = ("image/", "video/", "application/pdf")


def _local(request: web.Request) -> tuple[LocalStorage, str]:
    storage = request.app[keys.STORAGE]
    key = request.match_info["key"]
    if not isinstance(storage, LocalStorage) or not KEY_PATTERN.match(key):
        raise web.HTTPNotFound(text="no such object")
    return storage, key


def _refusal(exc: GrantRefused) -> web.Response:
    return web.Response(status=exc.status, text=exc.message)


@routes.put(ROUTE_PREFIX + "/{key:.+}")
async def put_object(request: web.Request) -> web.StreamResponse:
    storage, key = _local(request)
    try:
        info = await storage.receive(
            key,
            dict(request.query),
            request.headers.get("Content-Type"),
            request.content_length,
            request.content.iter_chunked(CHUNK),
        )
    except GrantRefused as exc:
        return _refusal(exc)
    return web.Response(status=200, headers={"ETag": f'"{info.sha256}"'})


def content_disposition(filename: str, content_type: str) -> str:
    kind = "inline" if content_type.startswith(INLINE_TYPES) else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("\\", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@routes.get(ROUTE_PREFIX + "/{key:.+}")
async def get_object(request: web.Request) -> web.StreamResponse:
    storage, key = _local(request)
    try:
        path, params = storage.open_for_download(key, dict(request.query))
    except GrantRefused as exc:
        return _refusal(exc)
    return web.FileResponse(
        path,
        headers={
            "Content-Type": params["type"],
            "Content-Disposition": content_disposition(params["filename"], params["type"]),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
