"""HTTP routes for signing in with identity providers, and for linked identities.

``start`` and ``callback`` are addresses a browser is sent through, not JSON calls: a refusal
there is an HTML page with a way back (the pages' error page), never a problem document.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import msgspec
from aiohttp import web

from server import keys
from server.api import PUBLIC, USER, ApiRequest, endpoint
from server.auth import schemas as auth_schemas
from server.auth.oidc import schemas
from server.auth.oidc.client import OidcClients
from server.auth.oidc.service import OidcService
from server.auth.routes import set_session_cookies
from server.errors import AppError, BadRequest, RateLimited, Unauthorized
from server.pages.web import error_page, redirect, safe_next, secure_headers, viewer_of
from server.proxies import client_ip
from server.ratelimit import TokenBucket, token_bucket

routes = web.RouteTableDef()
TAG = "accounts"
OIDC_CLIENTS: web.AppKey[OidcClients] = web.AppKey("oidc_clients", OidcClients)
# Binds a sign-in flow to the browser that started it (its hash is oidc_logins.browser_hash):
# a callback URL carried to another browser is refused there.
BROWSER_COOKIE = "rizeos_oidc_browser"
BROWSER_COOKIE_PATH = "/api/auth/oidc"
# Starts per IP address (settings.oidc_start_ip_*): each start writes an oidc_logins row and
# asks the provider's discovery document, so without a limit anyone could fill the table.
START_LIMIT: web.AppKey[TokenBucket] = web.AppKey("oidc_start_limit", TokenBucket)


def install_start_limit(app: web.Application) -> None:
    """Put the /start limiter on the app (create_app, after the fan-out bus exists)."""
    settings = app[keys.SETTINGS]
    app[START_LIMIT] = token_bucket(
        app,
        settings.oidc_start_ip_burst,
        settings.oidc_start_ip_per_minute / 60,
        "oidc_start_ip",
        "too many sign-ins started from your network; try again in {retry}",
    )


async def oidc_ctx(app: web.Application) -> AsyncIterator[None]:
    app[OIDC_CLIENTS] = OidcClients()
    yield
    await app[OIDC_CLIENTS].close()


def service(api: ApiRequest | web.Request) -> OidcService:
    app = api.app
    return OidcService(app[keys.DB], app[keys.SETTINGS], app[keys.MAILER], app[OIDC_CLIENTS])


async def refusal(request: web.Request, exc: AppError) -> web.StreamResponse:
    """A refused start or callback: a page saying why, with the site's header and a way on."""
    viewer = await viewer_of(request)
    titles = {404: "Not found", 429: "Too many sign-ins", 502: "Provider unavailable"}
    title = titles.get(exc.status, "Sign-in refused")
    detail = exc.detail[:1].upper() + exc.detail[1:] + "."
    response = error_page(request, viewer, exc.status, title, detail)
    if isinstance(exc, RateLimited) and exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@endpoint(
    routes,
    "GET",
    "/api/auth/providers",
    summary="The identity providers one may sign in with here",
    tag=TAG,
    auth=PUBLIC,
    response=schemas.Providers,
)
async def providers(api: ApiRequest) -> schemas.Providers:
    return schemas.Providers(
        items=[schemas.Provider(name=p.name, label=p.label) for p in api.settings.oidc_providers]
    )


@endpoint(
    routes,
    "GET",
    "/api/auth/oidc/{provider}/start",
    summary=(
        "Send the browser to the provider (302) to sign in, link it to the signed-in account "
        "(intent=link) or re-authenticate (intent=reauth); refusals are HTML pages"
    ),
    tag=TAG,
    auth=PUBLIC,
    status=302,
    errors=(400, 401, 404, 429, 502),
)
async def start(api: ApiRequest) -> web.StreamResponse:
    request = api.request
    try:
        await request.app[START_LIMIT].check(client_ip(request) or "unknown")
        try:
            query = msgspec.convert(dict(request.query), schemas.StartQuery, strict=False)
        except msgspec.ValidationError as exc:
            raise BadRequest(f"this sign-in address is malformed ({exc})") from None
        caller = api.caller
        if query.intent != "sign_in" and (caller is None or not caller.via_cookie):
            raise Unauthorized("log in first, then link or confirm with the provider")
        default = "/welcome" if query.intent == "sign_in" else "/settings/account"
        return_to = safe_next(query.next, default) if query.next else None
        browser = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(32)
        url = await service(api).start(
            str(api.path["provider"]),
            query.intent,
            return_to,
            browser,
            caller.user_id if caller else None,
            caller.session_id if caller else None,
        )
    except AppError as exc:
        return await refusal(request, exc)
    response = redirect(url)
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=86400,
        httponly=True,
        samesite="Lax",
        secure=api.settings.cookie_secure,
        path=BROWSER_COOKIE_PATH,
    )
    return secure_headers(request, response)


@endpoint(
    routes,
    "GET",
    "/api/auth/oidc/{provider}/callback",
    summary=(
        "Where the provider sends the browser back: checks state, browser, PKCE, the ID "
        "token and nonce, then signs in, links or re-authenticates (302); refusals are HTML "
        "pages and change nothing"
    ),
    tag=TAG,
    auth=PUBLIC,
    status=302,
    errors=(400, 403, 404, 409, 422, 502),
)
async def callback(api: ApiRequest) -> web.StreamResponse:
    request = api.request
    oidc = service(api)
    try:
        provider = oidc.provider(str(api.path["provider"]))
        try:
            query = msgspec.convert(dict(request.query), schemas.CallbackQuery, strict=False)
        except msgspec.ValidationError as exc:
            raise BadRequest(f"this sign-in answer is malformed ({exc})") from None
        if query.error:
            # Anyone can craft an error callback: the provider's words are shown only for a
            # live flow of this browser (which this ends), never for a made-up URL.
            if not await oidc.abandon(
                provider.name, query.state, request.cookies.get(BROWSER_COOKIE)
            ):
                raise BadRequest(
                    f"{provider.label} did not sign you in, and this sign-in is unknown, "
                    "already used, expired or was started in another browser: start again"
                )
            detail = query.error_description or query.error
            raise BadRequest(f"{provider.label} did not sign you in: {detail}")
        if not query.state or not query.code:
            raise BadRequest(f"{provider.label}'s answer has no state or code: start again")
        outcome = await oidc.callback(
            provider.name,
            query.state,
            query.code,
            request.cookies.get(BROWSER_COOKIE),
            api.caller.session_id if api.caller else None,
            request.headers.get("User-Agent"),
        )
    except AppError as exc:
        return await refusal(request, exc)
    response = redirect(outcome.location)
    if outcome.session is not None:
        set_session_cookies(response, api.settings, outcome.session)
    return secure_headers(request, response)


@endpoint(
    routes,
    "GET",
    "/api/me/identities",
    summary="The identity providers linked to your account, and whether it has a password",
    tag=TAG,
    auth=USER,
    response=schemas.Identities,
)
async def identities(api: ApiRequest) -> schemas.Identities:
    return await service(api).identities(api.user.user_id)


@endpoint(
    routes,
    "DELETE",
    "/api/me/identities/{provider}",
    summary="Unlink an identity provider (409 when it is your last way to sign in)",
    tag=TAG,
    auth=USER,
    errors=(404, 409),
)
async def unlink(api: ApiRequest) -> None:
    await service(api).unlink(api.user.user_id, str(api.path["provider"]))


@endpoint(
    routes,
    "POST",
    "/api/me/roles/first",
    summary=(
        "Choose your roles after signing up with an identity provider (409 once you have any)"
    ),
    tag=TAG,
    auth=USER,
    body=schemas.FirstRoles,
    response=auth_schemas.User,
    errors=(409, 422),
)
async def choose_first_roles(api: ApiRequest) -> auth_schemas.User:
    return await service(api).choose_first_roles(api.user.user_id, list(api.body.roles))
