"""HTTP routes for accounts and sessions."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api import PUBLIC, USER, ApiRequest, endpoint, json_response
from server.auth import schemas
from server.auth.attempts import check_password_attempt
from server.auth.middleware import CSRF_COOKIE, SESSION_COOKIE, SESSION_KEY
from server.auth.service import AccountService, NewSession
from server.auth.tokens import csrf_token
from server.config import Settings
from server.errors import Invalid
from server.proxies import client_ip

routes = web.RouteTableDef()
TAG = "accounts"


def service(api: ApiRequest) -> AccountService:
    return AccountService(api.db, api.settings, api.app[keys.MAILER])


def session_response(api: ApiRequest, new: NewSession, status: int) -> web.StreamResponse:
    csrf = csrf_token(api.settings.secret_key, new.session_id)
    body = schemas.Session(
        token=new.token, csrf_token=csrf, expires_at=new.expires_at, user=new.user
    )
    return set_session_cookies(json_response(body, status), api.settings, new)


def set_session_cookies(
    response: web.StreamResponse, settings: Settings, new: NewSession
) -> web.StreamResponse:
    """The browser's session cookie and its readable CSRF token (server/auth/middleware.py)."""
    csrf = csrf_token(settings.secret_key, new.session_id)
    max_age = settings.session_ttl_days * 86400
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, samesite="Lax", secure=settings.cookie_secure, path="/"
    )
    return response


@endpoint(
    routes,
    "POST",
    "/api/auth/signup",
    summary="Sign up with email and password; mails a verification link and starts a session",
    tag=TAG,
    auth=PUBLIC,
    body=schemas.SignupRequest,
    response=schemas.Session,
    status=201,
    errors=(409, 422),
)
async def sign_up(api: ApiRequest) -> web.Response:
    new = await service(api).sign_up(api.body, api.request.headers.get("User-Agent"))
    return session_response(api, new, 201)


@endpoint(
    routes,
    "POST",
    "/api/auth/login",
    summary="Log in; returns a bearer token and sets the session cookie",
    tag=TAG,
    auth=PUBLIC,
    body=schemas.LoginRequest,
    response=schemas.Session,
    errors=(401, 422, 429),
)
async def log_in(api: ApiRequest) -> web.Response:
    await check_password_attempt(api.app, ip=client_ip(api.request), account=api.body.email)
    new = await service(api).log_in(api.body, api.request.headers.get("User-Agent"))
    return session_response(api, new, 200)


@endpoint(
    routes, "POST", "/api/auth/logout", summary="Log out: revoke this session", tag=TAG, auth=USER
)
async def log_out(api: ApiRequest) -> web.Response:
    await service(api).log_out(api.user.session_id)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


@endpoint(
    routes,
    "GET",
    "/api/me",
    summary="The logged-in user (and the CSRF token for a cookie session)",
    tag=TAG,
    auth=USER,
    response=schemas.Me,
)
async def me(api: ApiRequest) -> schemas.Me:
    # The session lookup read the user with the session (and the cache drops it when it
    # changes): no second query. ``authenticate`` leaves it with every caller.
    user = api.request[SESSION_KEY].user
    csrf = csrf_token(api.settings.secret_key, api.user.session_id) if api.user.via_cookie else None
    return schemas.Me(user=user, csrf_token=csrf)


@endpoint(
    routes,
    "POST",
    "/api/auth/verify-email",
    summary="Confirm an email address with the mailed single-use token",
    tag=TAG,
    auth=PUBLIC,
    body=schemas.VerifyEmailRequest,
    response=schemas.User,
    errors=(422,),
)
async def verify_email(api: ApiRequest) -> schemas.User:
    return await service(api).verify_email(api.body.token)


@endpoint(
    routes,
    "POST",
    "/api/auth/verify-email/resend",
    summary="Mail a fresh verification link (older links stop working)",
    tag=TAG,
    auth=USER,
    response=schemas.Accepted,
    status=202,
    errors=(409,),
)
async def resend_verification(api: ApiRequest) -> schemas.Accepted:
    await service(api).resend_verification(api.user.user_id)
    return schemas.Accepted(detail="a new verification link is on its way")


@endpoint(
    routes,
    "POST",
    "/api/auth/password-reset",
    summary="Mail a password-reset link if the account exists (the answer is the same either way)",
    tag=TAG,
    auth=PUBLIC,
    body=schemas.PasswordResetRequest,
    response=schemas.Accepted,
    status=202,
)
async def request_password_reset(api: ApiRequest) -> schemas.Accepted:
    await service(api).request_password_reset(api.body.email)
    return schemas.Accepted(detail="if an account uses this address, a reset link is on its way")


@endpoint(
    routes,
    "POST",
    "/api/auth/password-reset/confirm",
    summary="Set a new password with the mailed token; logs out every session",
    tag=TAG,
    auth=PUBLIC,
    body=schemas.PasswordResetConfirm,
    errors=(422,),
)
async def confirm_password_reset(api: ApiRequest) -> None:
    await service(api).reset_password(api.body.token, api.body.password)


@endpoint(
    routes,
    "POST",
    "/api/me/roles",
    summary="Add one of your own roles (student, professional, employer, freelancer)",
    tag=TAG,
    auth=USER,
    body=schemas.RoleChange,
    response=schemas.User,
    errors=(422,),
)
async def add_role(api: ApiRequest) -> schemas.User:
    return await service(api).add_role(api.user.user_id, api.body.role)


@endpoint(
    routes,
    "DELETE",
    "/api/me/roles/{role}",
    summary="Remove one of your own roles; at least one must remain",
    tag=TAG,
    auth=USER,
    response=schemas.User,
    errors=(404, 409, 422),
)
async def remove_role(api: ApiRequest) -> schemas.User:
    role = api.path["role"]
    if role not in ("student", "professional", "employer", "freelancer"):
        raise Invalid.field("role", "must be one of student, professional, employer, freelancer")
    return await service(api).remove_role(api.user.user_id, str(role))
