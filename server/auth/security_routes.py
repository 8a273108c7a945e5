"""HTTP routes for a signed-in person's own sessions, password and email address
(server/auth/security.py), and the public confirmation of an email change."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api import PUBLIC, USER, ApiRequest, endpoint
from server.auth import schemas
from server.auth.attempts import check_caller_password_attempt
from server.auth.security import SecurityService

routes = web.RouteTableDef()
TAG = "accounts"


def service(api: ApiRequest) -> SecurityService:
    return SecurityService(api.db, api.settings, api.app[keys.MAILER])


@endpoint(
    routes,
    "GET",
    "/api/me/sessions",
    summary="Your live sessions, most recently seen first; `current` marks this one",
    tag=TAG,
    auth=USER,
    response=schemas.SessionList,
)
async def list_sessions(api: ApiRequest) -> schemas.SessionList:
    items = await service(api).list_sessions(api.user.user_id, api.user.session_id)
    return schemas.SessionList(items=items)


@endpoint(
    routes,
    "DELETE",
    "/api/me/sessions/{session_id}",
    summary="Sign one of your sessions out; its open sockets close",
    tag=TAG,
    auth=USER,
    errors=(404,),
)
async def revoke_session(api: ApiRequest) -> None:
    await service(api).revoke_session(api.user.user_id, api.path_id("session_id"))


@endpoint(
    routes,
    "POST",
    "/api/me/sessions/revoke-others",
    summary="Sign out every session of yours but this one",
    tag=TAG,
    auth=USER,
    response=schemas.Revoked,
)
async def revoke_other_sessions(api: ApiRequest) -> schemas.Revoked:
    n = await service(api).revoke_other_sessions(api.user.user_id, api.user.session_id)
    return schemas.Revoked(revoked=n)


@endpoint(
    routes,
    "POST",
    "/api/me/password",
    summary="Change your password (or set a first one); your other sessions are signed out",
    tag=TAG,
    auth=USER,
    body=schemas.PasswordChange,
    response=schemas.Revoked,
    errors=(403, 422, 429),
)
async def change_password(api: ApiRequest) -> schemas.Revoked:
    await check_caller_password_attempt(api.request, api.body.current_password)
    n = await service(api).change_password(api.user.user_id, api.user.session_id, api.body)
    return schemas.Revoked(revoked=n)


@endpoint(
    routes,
    "POST",
    "/api/me/email",
    summary="Ask to change your email: a confirmation link goes to the new address",
    tag=TAG,
    auth=USER,
    body=schemas.EmailChangeRequest,
    response=schemas.PendingEmailChange,
    status=202,
    errors=(403, 409, 422, 429),
)
async def request_email_change(api: ApiRequest) -> schemas.PendingEmailChange:
    await check_caller_password_attempt(api.request, api.body.current_password)
    return await service(api).request_email_change(api.user.user_id, api.user.session_id, api.body)


@endpoint(
    routes,
    "GET",
    "/api/me/email-change",
    summary="Your email change waiting for confirmation",
    tag=TAG,
    auth=USER,
    response=schemas.PendingEmailChange,
    errors=(404,),
)
async def pending_email_change(api: ApiRequest) -> schemas.PendingEmailChange:
    return await service(api).pending_email_change(api.user.user_id)


@endpoint(
    routes,
    "DELETE",
    "/api/me/email-change",
    summary="Cancel your email change waiting for confirmation",
    tag=TAG,
    auth=USER,
    errors=(404,),
)
async def cancel_email_change(api: ApiRequest) -> None:
    await service(api).cancel_email_change(api.user.user_id)


@endpoint(
    routes,
    "POST",
    "/api/auth/email-change/confirm",
    summary="Confirm a new email address with the token mailed to it; it becomes your address",
    tag=TAG,
    auth=PUBLIC,
    body=schemas.EmailChangeConfirm,
    response=schemas.User,
    errors=(409, 422),
)
async def confirm_email_change(api: ApiRequest) -> schemas.User:
    return await service(api).confirm_email_change(api.body.token)
