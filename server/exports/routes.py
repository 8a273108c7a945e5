"""HTTP routes for the data export (docs/privacy.md, "Your data export"). There is no id in
any of them: each is the caller's own export, so nobody can name anyone else's."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api import USER, ApiRequest, endpoint, json_response
from server.errors import NotFound
from server.exports import schemas
from server.exports.service import ZIP, ExportService
from server.storage import SAME_HOST
from server.storage.local import LocalStorage
from server.storage.routes import content_disposition
from server.uploads.routes import store_unavailable_is_503

routes = web.RouteTableDef()
TAG = "privacy"


def service(api: ApiRequest) -> ExportService:
    return ExportService(api.db, api.app[keys.STORAGE], api.settings)


@endpoint(
    routes,
    "POST",
    "/api/me/export",
    summary="Ask for a ZIP of your data; it is built in the background",
    tag=TAG,
    auth=USER,
    response=schemas.Export,
    status=202,
)
async def request_export(api: ApiRequest) -> schemas.Export:
    """Answers 202 with the export (`queued`). While one is queued or being built, asking
    again returns that one rather than starting another. When it is ready you get the
    notification `account.export_ready`; download it with `GET /api/me/export` until
    `expires_at` (EXPORT_TTL_HOURS after it was built)."""
    return await service(api).request(api.user.user_id)


@endpoint(
    routes,
    "GET",
    "/api/me/export/status",
    summary="Where your latest data export stands",
    tag=TAG,
    auth=USER,
    response=schemas.Export,
)
async def export_status(api: ApiRequest) -> schemas.Export:
    """`status` is `none` when you never asked for one; `download_url` is set while it is
    `ready`."""
    return await service(api).latest(api.user.user_id)


@endpoint(
    routes,
    "GET",
    "/api/me/export",
    summary="Download your latest data export (a ZIP), or see that it is still being built",
    tag=TAG,
    auth=USER,
    response=schemas.Export,
    status=202,
    errors=(404, 503),
)
async def download_export(api: ApiRequest) -> web.StreamResponse:
    """When it is ready: `200 application/zip` as an attachment (with the local store), or a
    `302` to a short-lived download URL (with B2). While it is queued or being built: `202`
    with the export. None, expired or failed: 404 (ask for a new one)."""
    storage = api.app[keys.STORAGE]
    export, key, filename = await service(api).downloadable(api.user.user_id)
    if key is None:
        return json_response(export, 202)
    headers = {"Cache-Control": "private, no-store"}
    if isinstance(storage, LocalStorage):
        path = storage.file_path(key)
        if path is None:  # expired meanwhile
            raise NotFound("your data export has expired; ask for a new one")
        headers["Content-Disposition"] = content_disposition(filename, ZIP)
        headers["Content-Type"] = ZIP
        headers["X-Content-Type-Options"] = "nosniff"
        return web.FileResponse(path, headers=headers)
    with store_unavailable_is_503():
        location = await storage.download_url(
            key,
            expires_in=api.settings.download_url_ttl_seconds,
            filename=filename,
            content_type=ZIP,
            origin=SAME_HOST,
        )
    return web.Response(status=302, headers={"Location": location, **headers})
