"""HTTP routes for a user's own notifications: list, unread count, mark read."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, ApiRequest, endpoint
from server.errors import NotFound
from server.notifications import schemas
from server.notifications.service import NO_SUCH_NOTIFICATION, NotificationService

routes = web.RouteTableDef()
TAG = "notifications"


def _service(api: ApiRequest) -> NotificationService:
    return NotificationService(api.db)


def _notification_id(api: ApiRequest) -> int:
    # Notification ids are BIGSERIAL numbers, not UUIDs, so the segment is not named `..._id`
    # (the endpoint decorator would parse it as a UUID); anything else is "no such" (404).
    raw = api.path["notification"]
    assert isinstance(raw, str)
    if not raw.isascii() or not raw.isdigit() or int(raw) >= 2**63:
        raise NotFound(NO_SUCH_NOTIFICATION)
    return int(raw)


@endpoint(
    routes,
    "GET",
    "/api/notifications",
    summary="My notifications, newest first (unread=true|false, after=<id>)",
    tag=TAG,
    auth=USER,
    query=schemas.NotificationListQuery,
    response=schemas.NotificationPage,
)
async def list_notifications(api: ApiRequest) -> schemas.NotificationPage:
    """Pass `next` back as `cursor` for the next page; `after` keeps only ids above it."""
    return await _service(api).list_mine(api.user.user_id, api.query)


@endpoint(
    routes,
    "GET",
    "/api/notifications/unread-count",
    summary="How many of my notifications are unread",
    tag=TAG,
    auth=USER,
    response=schemas.UnreadCount,
)
async def count_unread_notifications(api: ApiRequest) -> schemas.UnreadCount:
    return await _service(api).unread_count(api.user.user_id)


@endpoint(
    routes,
    "POST",
    "/api/notifications/{notification}/read",
    summary="Mark one of my notifications read",
    tag=TAG,
    auth=USER,
    response=schemas.Notification,
    errors=(404,),
)
async def mark_notification_read(api: ApiRequest) -> schemas.Notification:
    """Marking an already read notification keeps its first `read_at`; someone else's is 404."""
    notification, _ = await _service(api).mark_read(api.user.user_id, _notification_id(api))
    return notification


@endpoint(
    routes,
    "POST",
    "/api/notifications/read",
    summary="Mark all my notifications up to an id read",
    tag=TAG,
    auth=USER,
    body=schemas.MarkReadUpTo,
    response=schemas.MarkedRead,
)
async def mark_notifications_read_up_to(api: ApiRequest) -> schemas.MarkedRead:
    return await _service(api).mark_read_up_to(api.user.user_id, api.body.up_to_id)
