"""The OpenAPI 3.1 document, generated from the same msgspec Structs the routes decode and
encode, and a browsable page that renders it without any external script."""

from __future__ import annotations

import functools
from typing import Any

import aiohttp_jinja2
import msgspec
from aiohttp import web

from server.api import ENDPOINTS, PUBLIC, Auth, Endpoint, path_params
from server.errors import Problem

routes = web.RouteTableDef()
REF = "#/components/schemas/{name}"

_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    400: "Malformed request (bad JSON, bad cursor)",
    401: "Not logged in, or the token is revoked",
    403: "Not allowed for this caller",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    422: "A field failed validation",
    429: "Rate limited",
    503: "Not ready",
}


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": _STATUS_TEXT.get(status, "Error"),
        "content": {"application/problem+json": {"schema": {"$ref": REF.format(name="Problem")}}},
    }


def _operation(ep: Endpoint, refs: dict[Any, Any], query_props: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": ep.handler.__name__,
        "summary": ep.summary,
        "tags": [ep.tag],
    }
    if ep.handler.__doc__:
        op["description"] = ep.handler.__doc__.strip()
    parameters: list[dict[str, Any]] = []
    for name in path_params(ep.path):
        is_id = name == "id" or name.endswith("_id")
        schema = {"type": "string", "format": "uuid"} if is_id else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    if ep.query is not None:
        struct_schema = query_props[ep.query]
        required = set(struct_schema.get("required", []))
        for name, schema in struct_schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": schema}
            if schema.get("type") == "array":
                param["style"] = "form"
                param["explode"] = True
            parameters.append(param)
    if parameters:
        op["parameters"] = parameters
    if ep.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[ep.body]}},
        }
    responses: dict[str, Any] = {}
    if ep.response is None:
        responses["204" if ep.status == 200 else str(ep.status)] = {"description": "No content"}
    else:
        responses[str(ep.status)] = {
            "description": _STATUS_TEXT.get(ep.status, "OK"),
            "content": {"application/json": {"schema": refs[ep.response]}},
        }
    statuses = set(ep.errors)
    if ep.body is not None or ep.query is not None:
        statuses |= {400, 422}
    if ep.body is not None:
        statuses.add(413)
    if any(p == "id" or p.endswith("_id") for p in path_params(ep.path)):
        statuses.add(404)
    if ep.auth is not PUBLIC:
        statuses.add(401)
    if ep.auth in (Auth.VERIFIED, Auth.ADMIN):
        statuses.add(403)
    for status in sorted(statuses):
        responses[str(status)] = _problem_response(status)
    op["responses"] = responses
    if ep.auth is not PUBLIC:
        op["security"] = [{"bearer": []}, {"cookie": []}]
    op["x-auth"] = ep.auth.value
    return op


def build_openapi(endpoints: list[Endpoint] = ENDPOINTS) -> dict[str, Any]:
    types: list[Any] = [Problem]
    for ep in endpoints:
        for t in (ep.body, ep.response, ep.query):
            if t is not None and t not in types:
                types.append(t)
    schemas, components = msgspec.json.schema_components(types, ref_template=REF)
    refs = dict(zip(types, schemas, strict=True))
    query_props = {}
    for ep in endpoints:
        if ep.query is not None:
            ref = refs[ep.query]["$ref"].rsplit("/", 1)[-1]
            query_props[ep.query] = components[ref]
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, refs, query_props)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RizeOS API",
            "version": "1.0.0",
            "description": (
                "Careers platform API. Authenticate with `Authorization: Bearer <token>` "
                "(from /api/auth/login) or the session cookie; cookie sessions send "
                "`X-CSRF-Token` on every change. Errors are RFC 9457 problem details. "
                "Lists are keyset-paginated: pass `next` back as `cursor`."
            ),
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "rizeos_session"},
            },
        },
    }


@functools.cache
def _spec() -> tuple[dict[str, Any], bytes]:
    """Built once per process: the routes are all registered before the first request."""
    spec = build_openapi()
    return spec, msgspec.json.encode(spec)


@routes.get("/api/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=_spec()[1], content_type="application/json")


@routes.get("/api/docs")
@aiohttp_jinja2.template("api_docs.html")
async def api_docs(request: web.Request) -> dict[str, Any]:
    spec = _spec()[0]
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]
    return {"spec": spec, "operations": operations, "schemas": spec["components"]["schemas"]}
