"""HTTP routes for re-authentication and account deletion."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, ApiRequest, endpoint
from server.auth.attempts import check_password_attempt
from server.auth.middleware import CSRF_COOKIE, SESSION_COOKIE, SESSION_KEY
from server.deletion import schemas
from server.deletion.service import AccountDeletion

routes = web.RouteTableDef()
TAG = "accounts"


def service(api: ApiRequest) -> AccountDeletion:
    return AccountDeletion(api.db, api.settings)


async def count_password_attempt(api: ApiRequest) -> None:
    """Every password check counts against the account's and the address's limits
    (server/auth/attempts.py): 429 before the password is looked at."""
    email = api.request[SESSION_KEY].user.email
    await check_password_attempt(api.app, ip=api.request.remote, account=email)


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
    await count_password_attempt(api)
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
    if api.body.password is not None:
        await count_password_attempt(api)
    await service(api).delete(api.user.user_id, api.user.session_id, api.body)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response
