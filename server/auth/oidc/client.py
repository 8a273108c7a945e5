"""Talking to an identity provider: discovery, the authorization URL, the code exchange, and
the ID token's verification against the provider's published keys.

HTTP goes through aiohttp (the server's own client stack: one connection pool per app,
closed with it) rather than Authlib's httpx client, which would add a second HTTP library
for four requests. Authlib supplies the OAuth 2 pieces (PKCE's S256 challenge, the grant URI,
random tokens) and joserfc, Authlib's JOSE library, checks the ID token: signature against
the JWKS, then ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce``. No JOSE is written here.
"""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import aiohttp
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError, MissingKeyError
from joserfc.jwk import KeySet

from server.config import OidcProvider

# Discovery documents and keys are kept this long; an ID token signed by a key we do not
# know yet fetches the keys again at once (the provider rotated them).
METADATA_TTL_S = 3600.0
TIMEOUT = aiohttp.ClientTimeout(total=10)
# Seconds of clock difference tolerated between us and the provider.
LEEWAY_S = 60


class ProviderError(Exception):
    """The provider could not be reached, answered nonsense, or its token did not verify.
    The message is safe to show the person signing in."""


class ProviderUnreachable(ProviderError):
    """The provider is down, hangs past ``TIMEOUT`` or answers garbage (not a refusal of
    this sign-in): the person did nothing wrong and may simply try again later (502)."""


@dataclass(frozen=True, slots=True)
class Person:
    """Who the provider says signed in."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None


@dataclass(frozen=True, slots=True)
class Authorization:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(slots=True)
class _Metadata:
    document: dict[str, Any]
    keys: KeySet | None
    fetched_at: float


class OidcClients:
    """The providers' endpoints and keys (cached), and the HTTP session to reach them."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._metadata: dict[str, _Metadata] = {}
        self._lock = asyncio.Lock()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _get_json(self, url: str, what: str, **options: Any) -> dict[str, Any]:
        try:
            async with self.session.get(url, **options) as response:
                if response.status != 200:
                    raise ProviderUnreachable(f"the provider's {what} answered {response.status}")
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ProviderUnreachable(f"the provider's {what} could not be read ({exc})") from exc
        if not isinstance(data, dict):
            raise ProviderUnreachable(f"the provider's {what} is not a JSON object")
        return data

    async def _discover(self, provider: OidcProvider, stale: _Metadata | None = None) -> _Metadata:
        """The provider's discovery document and keys, cached; ``stale`` (keys that did not
        know an ID token's ``kid``) fetches them again unless another request already has."""
        cached = self._metadata.get(provider.name)
        fresh = cached and time.monotonic() - cached.fetched_at < METADATA_TTL_S
        if fresh and cached is not stale:
            return cached  # type: ignore[return-value]
        async with self._lock:
            # Requests that waited here while another fetched use what it fetched, rather
            # than each fetching again in turn (behind a hung provider, one timeout each).
            cached = self._metadata.get(provider.name)
            if (
                cached
                and time.monotonic() - cached.fetched_at < METADATA_TTL_S
                and cached is not stale
            ):
                return cached
            assert provider.issuer is not None
            url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await self._get_json(url, "discovery document")
            # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer we asked.
            if document.get("issuer") != provider.issuer:
                raise ProviderUnreachable("the provider's discovery document names another issuer")
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(name), str):
                    raise ProviderUnreachable(f"the provider's discovery document has no {name}")
            jwks = await self._get_json(document["jwks_uri"], "keys")
            try:
                key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise ProviderUnreachable("the provider's keys could not be read") from exc
            metadata = _Metadata(document, key_set, time.monotonic())
            self._metadata[provider.name] = metadata
            return metadata

    async def _endpoints(self, provider: OidcProvider) -> dict[str, Any]:
        if not provider.is_oidc:
            return {
                "authorization_endpoint": provider.authorize_url,
                "token_endpoint": provider.token_url,
                "userinfo_endpoint": provider.userinfo_url,
            }
        return (await self._discover(provider)).document

    async def authorization(
        self, provider: OidcProvider, redirect_uri: str, afresh: bool = False
    ) -> Authorization:
        """Where to send the browser: a fresh state, nonce and PKCE verifier (RFC 7636,
        S256) go with it; the caller keeps them for the callback. ``afresh`` (confirming who
        you are) asks an OpenID provider to sign the person in again rather than pass on its
        remembered session (OIDC Core 3.1.2.1: ``prompt=login``, ``max_age=0``)."""
        endpoints = await self._endpoints(provider)
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        extra: dict[str, str] = {
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if provider.is_oidc:
            extra["nonce"] = nonce
            if afresh:
                extra["prompt"] = "login"
                extra["max_age"] = "0"
        url = prepare_grant_uri(
            endpoints["authorization_endpoint"],
            client_id=provider.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=provider.scopes,
            state=state,
            **extra,
        )
        return Authorization(url=url, state=state, nonce=nonce, code_verifier=verifier)

    async def _exchange(
        self, provider: OidcProvider, endpoint: str, code: str, redirect_uri: str, verifier: str
    ) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": provider.client_id,
        }
        headers = {"Accept": "application/json"}
        if provider.client_secret is not None:
            if provider.is_oidc:  # client_secret_basic, RFC 6749 2.3.1 (form-encoded parts)
                pair = f"{quote_plus(provider.client_id)}:{quote_plus(provider.client_secret)}"
                headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
            else:  # GitHub-style providers take the secret in the form
                form["client_secret"] = provider.client_secret
        try:
            async with self.session.post(endpoint, data=form, headers=headers) as response:
                data = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ProviderUnreachable(
                f"the provider's token endpoint could not be read ({exc})"
            ) from exc
        if status >= 500 or not isinstance(data, dict):
            raise ProviderUnreachable(f"the provider's token endpoint answered {status}")
        if status != 200 or "error" in data:
            error = data.get("error")
            raise ProviderError(f"the provider refused the sign-in code ({error or status})")
        if not isinstance(data.get("access_token"), str):
            raise ProviderError("the provider's token answer has no access token")
        return data

    def _verify_id_token(
        self, provider: OidcProvider, metadata: _Metadata, id_token: str, nonce: str
    ) -> dict[str, Any]:
        algorithms = metadata.document.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in algorithms if a != "none"]
        assert metadata.keys is not None
        token = jwt.decode(id_token, metadata.keys, algorithms=algorithms)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": provider.issuer},
            sub={"essential": True},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
        audience = token.claims["aud"]
        # OpenID Connect Core 3.1.3.7: several audiences need azp to be us.
        if (
            isinstance(audience, list)
            and len(audience) > 1
            and token.claims.get("azp") != provider.client_id
        ):
            raise ProviderError("the ID token was issued to another client")
        return token.claims

    async def person(
        self, provider: OidcProvider, code: str, redirect_uri: str, verifier: str, nonce: str
    ) -> Person:
        """Exchange the code (with the PKCE verifier) and say who signed in: from the
        verified ID token for OpenID Connect, from the user-info endpoint for plain OAuth 2."""
        endpoints = await self._endpoints(provider)
        tokens = await self._exchange(
            provider, endpoints["token_endpoint"], code, redirect_uri, verifier
        )
        claims: dict[str, Any]
        if provider.is_oidc:
            id_token = tokens.get("id_token")
            if not isinstance(id_token, str):
                raise ProviderError("the provider sent no ID token")
            metadata = await self._discover(provider)
            try:
                try:
                    claims = self._verify_id_token(provider, metadata, id_token, nonce)
                except (InvalidKeyIdError, MissingKeyError):
                    # A key we have not seen: the provider may have rotated its keys.
                    metadata = await self._discover(provider, stale=metadata)
                    claims = self._verify_id_token(provider, metadata, id_token, nonce)
            except (JoseError, ValueError) as exc:
                raise ProviderError(f"the ID token did not verify ({exc})") from exc
            if "email" not in claims and isinstance(endpoints.get("userinfo_endpoint"), str):
                info = await self._userinfo(endpoints["userinfo_endpoint"], tokens)
                # OpenID Connect Core 5.3.2: user info about someone else is ignored.
                if info.get("sub") == claims["sub"]:
                    claims = {**info, **claims}
        else:
            claims = await self._userinfo(endpoints["userinfo_endpoint"], tokens)
            subject = claims.get("sub", claims.get("id"))
            if subject is None:
                raise ProviderError("the provider's user info names no account")
            claims = {**claims, "sub": str(subject)}
        return _person(claims)

    async def _userinfo(self, url: str, tokens: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {tokens['access_token']}",
            "Accept": "application/json",
        }
        return await self._get_json(url, "user info", headers=headers)


def _person(claims: dict[str, Any]) -> Person:
    subject = str(claims["sub"])
    if not subject or len(subject) > 255:
        raise ProviderError("the provider's subject identifier is empty or too long")
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) and "@" in email else None
    if email is not None and len(email) > 255:
        email = None
    verified = claims.get("email_verified") is True or claims.get("email_verified") == "true"
    name = claims.get("name") or claims.get("login")
    name = name.strip()[:255] or None if isinstance(name, str) else None
    return Person(
        subject=subject, email=email, email_verified=verified and email is not None, name=name
    )
