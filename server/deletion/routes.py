"""HTTP routes for re-authentication and account deletion."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, ApiRequest, endpoint
from server.auth.attempts import check_caller_password_attempt
from server.auth.middleware import CSRF_COOKIE, SESSION_COOKIE
from server.deletion import schemas
from server.deletion.service import AccountDeletion

routes = web.RouteTableDef()
TAG = "accounts"


def service(api: ApiRequest) -> AccountDeletion:
    return AccountDeletion(api.db, api.settings)


@endpoint(
    routes,
    "POST",
    "/api/me/reauthenticate",
    summary="Prove it is you with your password: this session may delete the account for "
    "the next REAUTH_WINDOW_MINUTES",
    tag=TAG,
    auth=USER,
    body=schemas.ReauthenticateRequest,
    response=schemas.Reauthenticated,
    errors=(409, 422, 429),
)
async def reauthenticate(api: ApiRequest) -> schemas.Reauthenticated:
    await check_caller_password_attempt(api.request, api.body.password)
    return await service(api).reauthenticate(
        api.user.user_id, api.user.session_id, api.body.password
    )


@endpoint(
    routes,
    "GET",
    "/api/me/deletion",
    summary="Before deleting your account: how to confirm, and what must be handed over or "
    "finished first",
    tag=TAG,
    auth=USER,
    response=schemas.DeletionCheck,
)
async def deletion_check(api: ApiRequest) -> schemas.DeletionCheck:
    return await service(api).check(api.user.user_id, api.user.session_id)


@endpoint(
    routes,
    "DELETE",
    "/api/me",
    summary="Delete your account: personal data erased, what others need kept without you "
    "(docs/privacy.md); every session ends",
    tag=TAG,
    auth=USER,
    body=schemas.DeleteAccountRequest,
    errors=(403, 409, 422, 429),
)
async def delete_account(api: ApiRequest) -> web.Response:
    await check_caller_password_attempt(api.request, api.body.password)
    await service(api).delete(api.user.user_id, api.user.session_id, api.body)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response
