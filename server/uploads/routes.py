"""HTTP routes for uploads (grant → direct upload → complete) and for reading files."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from server import keys
from server.api import PUBLIC, USER, VERIFIED, ApiRequest, endpoint
from server.errors import Unavailable
from server.storage import SAME_HOST, StorageError
from server.uploads import schemas
from server.uploads.service import UploadService

log = logging.getLogger("rizeos.uploads")
routes = web.RouteTableDef()
TAG = "uploads"


@contextmanager
def store_unavailable_is_503() -> Iterator[None]:
    """The object store being down is not the client's fault, nor a bug: 503, retry later."""
    try:
        yield
    except StorageError as exc:
        log.warning("object storage failed: %s", exc)
        raise Unavailable("file storage is unavailable; try again shortly") from exc


def service(api: ApiRequest) -> UploadService:
    return UploadService(api.db, api.app[keys.STORAGE], api.settings, api.app[keys.METRICS])


_ORIGIN = re.compile(r"\Ahttps?://[A-Za-z0-9.\-:\[\]]{1,255}\Z")


def page_origin(request: web.Request) -> str | None:
    """The origin of the page that asked (its Origin header, which browsers send with every
    POST), where the local store's upload URL must be for the PUT to stay same-origin on
    whichever address the page was opened at (docs/storage.md, "Any host the server answers
    on"). Not the Host header: a proxy in front may rewrite it to its upstream's address.
    None (scripts, curl, an odd value): the store uses PUBLIC_URL."""
    origin = request.headers.get("Origin") or ""
    return origin if _ORIGIN.match(origin) else None


@endpoint(
    routes,
    "POST",
    "/api/uploads/generate-url",
    summary="Ask for a short-lived URL to upload one file straight to storage",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.UploadRequest,
    response=schemas.UploadGrant,
    status=201,
    errors=(403, 429, 503),
)
async def generate_upload_url(api: ApiRequest) -> schemas.UploadGrant:
    """Each purpose allows its own content types and sizes (docs/storage.md). The filename
    must be a bare name whose extension fits the content type. Send the bytes with
    `upload_request.method` to `upload_request.url` with exactly `upload_request.headers`
    (the body must be exactly `size` bytes) before `upload_request.expires_at`, then call
    `POST /api/uploads/{id}/complete`. At most 20 uploads may be in progress per user
    (429). With the local store the URL is on the host this request reached; with B2, a
    browser page on an origin the bucket's CORS rules do not allow is 403, saying which
    setting to change."""
    with store_unavailable_is_503():
        return await service(api).grant(
            api.user.user_id,
            api.body,
            origin=page_origin(api.request),
            page_origin=api.request.headers.get("Origin"),
        )


@endpoint(
    routes,
    "POST",
    "/api/uploads/{upload_id}/complete",
    summary="Confirm an upload: the stored object is checked against what was declared",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Upload,
    errors=(404, 409, 503),
)
async def complete_upload(api: ApiRequest) -> schemas.Upload:
    """Owner only. A size, type or checksum mismatch deletes the object and answers 422;
    nothing uploaded yet, or an expired or failed upload, is 409. Completing a complete
    upload returns it again. The answer's `url` is the file's permanent reference, the
    value to put in resume_url, attachments, media galleries, portfolio, logo_url."""
    with store_unavailable_is_503():
        return await service(api).complete(api.user.user_id, api.path_id("upload_id"))


@endpoint(
    routes,
    "GET",
    "/api/uploads",
    summary="Your uploads, newest first",
    tag=TAG,
    auth=USER,
    query=schemas.UploadListQuery,
    response=schemas.UploadPage,
)
async def list_uploads(api: ApiRequest) -> schemas.UploadPage:
    return await service(api).list_own(api.user.user_id, api.query)


@endpoint(
    routes,
    "GET",
    "/api/files/{upload_id}",
    summary="Open a file: redirects (302) to a short-lived download URL",
    tag=TAG,
    auth=PUBLIC,
    status=302,
    errors=(503,),
)
async def open_file(api: ApiRequest) -> web.Response:
    """Job attachments, gig media, portfolio items and logos are public. A resume is
    readable by its owner and by active admins/recruiters of companies the candidate applied
    to (and did not withdraw from); a chat attachment by the participants of a conversation
    it was sent in. Anyone else gets 404. With the local store the redirect is a path, so
    it stays on the host (and scheme) the browser used."""
    viewer = api.caller.user_id if api.caller else None
    with store_unavailable_is_503():
        location = await service(api).download_url(
            viewer,
            api.path_id("upload_id"),
            origin=SAME_HOST,
        )
    return web.Response(
        status=302, headers={"Location": location, "Cache-Control": "private, no-store"}
    )
