"""The JSON API's plumbing: one decorator per route that parses, authenticates and documents.

``@endpoint(routes, "POST", "/api/jobs", body=JobCreate, response=Job, status=201,
auth=VERIFIED)`` registers the aiohttp route, decodes the body and query into msgspec
Structs (422 with the offending field on a bad value), turns ``{..._id}`` path segments
into UUIDs (404 when malformed), requires the caller the route asks for, encodes the
returned Struct, and records all of it for the OpenAPI document. Handlers receive an
``ApiRequest`` and return a Struct (or ``None`` for 204, or a ``web.Response``).
"""

from __future__ import annotations

import enum
import re
import typing
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from server import keys
from server.auth.caller import Caller
from server.auth.middleware import authenticate
from server.errors import BadRequest, FieldError, Forbidden, Invalid, NotFound, Unauthorized


class Auth(enum.Enum):
    PUBLIC = "public"  # anyone; the caller is resolved if a session is presented
    USER = "user"  # any logged-in user
    VERIFIED = "verified"  # a logged-in user whose email is verified
    ADMIN = "admin"  # a verified platform admin


PUBLIC, USER, VERIFIED, ADMIN = Auth.PUBLIC, Auth.USER, Auth.VERIFIED, Auth.ADMIN


@dataclass(slots=True)
class ApiRequest:
    request: web.Request
    caller: Caller | None
    body: Any = None
    query: Any = None
    path: dict[str, uuid.UUID | str] = field(default_factory=dict)

    @property
    def app(self) -> web.Application:
        return self.request.app

    @property
    def db(self):
        return self.request.app[keys.DB]

    @property
    def settings(self):
        return self.request.app[keys.SETTINGS]

    @property
    def user(self) -> Caller:
        """The caller, for routes that require one (the decorator has checked)."""
        assert self.caller is not None
        return self.caller

    def path_id(self, name: str) -> uuid.UUID:
        value = self.path[name]
        assert isinstance(value, uuid.UUID)
        return value


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    handler: Callable[..., Any]
    summary: str
    tag: str
    auth: Auth
    body: type | None
    query: type | None
    response: Any
    status: int
    errors: tuple[int, ...]


ENDPOINTS: list[Endpoint] = []

_encoder = msgspec.json.Encoder()
_PATH_PARAM = re.compile(r"{(\w+)}")


def encode_json(value: Any) -> bytes:
    return _encoder.encode(value)


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(value), status=status, content_type="application/json")


_MISSING_FIELD = re.compile(r"Object missing required field `(\w+)`")


_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}
_BOUND = re.compile(r"Expected `(\w+)` (?:of length )?(>=|<=|>|<) (-?[\d.]+)")
_TYPE = re.compile(r"Expected `([\w |]+)`, got `(\w+)`")
_PLAIN = {
    "Invalid UUID": "is not a valid id",
    "Invalid RFC3339 encoded datetime": "is not a valid date and time",
    "Invalid RFC3339 encoded date": "is not a valid date",
    "Invalid RFC3339 encoded time": "is not a valid time",
}


def _type_words(types: str) -> str:
    kinds = [t.strip() for t in types.split("|") if t.strip() != "null"]  # null: left out
    return " or ".join(_TYPE_WORDS.get(t, t) for t in kinds) or "null"


def humanize_validation(text: str) -> str:
    """Turn msgspec's wording ("Expected `str` of length >= 1") into what a person reads
    beside a form field ("must not be empty"); unknown wordings pass through unchanged."""
    bound = _BOUND.fullmatch(text)
    if bound:
        kind, op, number = bound.groups()
        unit = {"str": " characters", "array": " items", "object": " entries"}.get(kind, "")
        if unit and number == "1" and op == ">=":
            return "must not be empty"
        if unit and number == "1" and op == "<=":
            unit = unit[:-1]
        words = {
            ">=": "must be at least",
            "<=": "must be at most",
            ">": "must be more than",
            "<": "must be less than",
        }[op]
        if unit == " items" or unit == " item":
            words = words.replace("must be", "must have")
        return f"{words} {number}{unit}"
    typed = _TYPE.fullmatch(text)
    if typed:
        return f"must be {_type_words(typed.group(1))}"
    if text.startswith("Expected `str` matching regex"):
        # the not-blank pattern of a free text (msgspec doubles its backslashes)
        if r"(?=[\s\S]*\S)" in text.replace("\\\\", "\\"):
            return "must not be blank"
        return "has an invalid format"
    if text.startswith("Invalid enum value"):
        return "is not one of the allowed values"
    if text.startswith("Object contains unknown field"):
        return text.replace("Object contains unknown field", "has an unknown field")
    return _PLAIN.get(text, text)


def _validation_error(exc: msgspec.ValidationError, location: str) -> Invalid:
    message = str(exc)
    match = re.search(r" - at `\$(.*)`$", message)
    path = match.group(1).lstrip(".") if match else ""
    text = message[: match.start()] if match else message
    missing = _MISSING_FIELD.fullmatch(text)
    if missing:  # name the field itself, so a form shows "is required" beside its input
        path = f"{path}.{missing.group(1)}".lstrip(".")
        text = "is required"
    elif text.startswith("Expected `str` matching regex") and path.endswith("email"):
        text = "is not a valid email address"  # a person reads this, not the regex
    else:
        text = humanize_validation(text)
    field_name = f"{location}.{path}" if path else location
    return Invalid(f"invalid {field_name}: {text}", [FieldError(field=field_name, message=text)])


async def _decode_body(request: web.Request, struct: type) -> Any:
    if request.content_type != "application/json":
        raise Invalid.field("body", "send a JSON body with Content-Type: application/json")
    raw = await request.read()
    try:
        return msgspec.json.decode(raw, type=struct)
    except msgspec.ValidationError as exc:
        raise _validation_error(exc, "body") from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"malformed JSON: {exc}") from None


def list_fields(struct: type) -> set[str]:
    names = set()
    for f in msgspec.structs.fields(struct):
        origin = typing.get_origin(f.type)
        args = typing.get_args(f.type)
        if origin is list or any(typing.get_origin(a) is list for a in args):
            names.add(f.encode_name)
    return names


def _decode_query(request: web.Request, struct: type) -> Any:
    lists = list_fields(struct)
    data: dict[str, Any] = {}
    for key in set(request.query.keys()):
        if key in lists:
            values = [v for item in request.query.getall(key) for v in item.split(",") if v]
            data[key] = values
        else:
            data[key] = request.query[key]
    try:
        return msgspec.convert(data, struct, strict=False)
    except msgspec.ValidationError as exc:
        raise _validation_error(exc, "query") from None


def _parse_path(request: web.Request) -> dict[str, uuid.UUID | str]:
    parsed: dict[str, uuid.UUID | str] = {}
    for name, value in request.match_info.items():
        if name == "id" or name.endswith("_id"):
            try:
                parsed[name] = uuid.UUID(value)
            except ValueError:
                raise NotFound(
                    f"no such {name.removesuffix('_id') or 'resource'}: {value!r}"
                ) from None
        else:
            parsed[name] = value
    return parsed


def _require(auth: Auth, caller: Caller | None, csrf_rejected: bool) -> None:
    if auth is PUBLIC:
        return
    if caller is None and csrf_rejected:
        raise Forbidden("missing or wrong X-CSRF-Token header for a cookie session")
    if caller is None:
        raise Unauthorized(
            "log in first: send the session cookie or an Authorization: Bearer token"
        )
    if auth in (VERIFIED, ADMIN) and not caller.is_verified:
        raise Forbidden("verify your email address first")
    if auth is ADMIN and not caller.is_admin:
        raise Forbidden("platform administrators only")


def endpoint(
    routes: web.RouteTableDef,
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    auth: Auth,
    body: type | None = None,
    query: type | None = None,
    response: Any = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
) -> Callable[[Callable[[ApiRequest], Awaitable[Any]]], Callable[[web.Request], Awaitable[Any]]]:
    def decorate(handler: Callable[[ApiRequest], Awaitable[Any]]):
        async def view(request: web.Request) -> web.StreamResponse:
            caller, csrf_rejected = await authenticate(request)
            path_params = _parse_path(request)
            _require(auth, caller, csrf_rejected)
            api = ApiRequest(request=request, caller=caller, path=path_params)
            if query is not None:
                api.query = _decode_query(request, query)
            if body is not None:
                api.body = await _decode_body(request, body)
            result = await handler(api)
            # Structs first: a plain class check, where StreamResponse's is an ABC's.
            if isinstance(result, msgspec.Struct | list):
                return json_response(result, status)
            if result is None:
                return web.Response(status=204)
            if isinstance(result, web.StreamResponse):
                return result
            return json_response(result, status)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        routes.route(method, path)(view)
        ENDPOINTS.append(
            Endpoint(
                method=method.upper(),
                path=path,
                handler=handler,
                summary=summary,
                tag=tag,
                auth=auth,
                body=body,
                query=query,
                response=response,
                status=status,
                errors=errors,
            )
        )
        return view

    return decorate


def path_params(path: str) -> list[str]:
    return _PATH_PARAM.findall(path)
