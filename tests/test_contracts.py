"""Contracts every route shares: problem details for bad input (down to a request line too
long to parse), every problem type explained at /docs/problems, and a complete OpenAPI
document."""

from __future__ import annotations

import inspect
import io
import json
import logging

from aiohttp import web
from openapi_spec_validator import validate

from server.api import ENDPOINTS
from server.errors import (
    MAX_REQUEST_TARGET,
    PROBLEM_BASE,
    PROBLEM_TYPES,
    PROBLEMS,
    AppError,
    _http_problem,
    error_middleware,
)
from tests.client import raw_request


async def test_malformed_json_is_400_problem_and_writes_nothing(api, db):
    response = await api.client.post(
        "/api/auth/signup", data=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert set(problem) >= {"type", "title", "status", "detail"}
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_body_that_is_not_json_is_422(api):
    response = await api.client.post("/api/auth/login", data="email=a@b.c&password=x")
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "body"


async def test_wrong_types_and_unknown_fields_are_422_with_the_field_named(api):
    problem = await api.post("/api/auth/login", {"email": ["a"], "password": "x"}, expect=422)
    assert problem["errors"] == [{"field": "body.email", "message": "must be text"}]
    problem = await api.post(
        "/api/auth/login", {"email": "a@b.io", "password": "x", "admin": True}, expect=422
    )
    assert problem["errors"][0]["field"] == "body"
    assert "admin" in problem["errors"][0]["message"]
    problem = await api.post("/api/auth/login", [1, 2], expect=422)
    assert problem["status"] == 422


async def test_oversize_body_is_413_and_writes_nothing(api, db):
    big = b'{"email": "a@example.com", "roles": ["student"], "password": "' + b"x" * 900_000
    response = await api.client.post(
        "/api/auth/signup",
        data=io.BytesIO(big + b"x" * 900_000 + b'"}'),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert (await response.json())["status"] == 413
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_unknown_route_and_wrong_method_are_problem_details(api):
    problem = await api.get("/api/nothing-here", expect=404)
    assert problem["status"] == 404
    response = await api.client.put("/api/auth/login", json={})
    assert response.status == 405
    assert response.content_type == "application/problem+json"
    assert "POST" in response.headers["Allow"]


async def test_openapi_document_is_valid_and_describes_every_api_route(api):
    spec = await api.get("/api/openapi.json", expect=200)
    validate(spec)
    documented = {
        (method.upper(), path) for path, methods in spec["paths"].items() for method in methods
    }
    served = set()
    for route in api.client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        is_api = bool(path) and (path.startswith("/api") or path in ("/healthz", "/readyz"))
        undocumented = path in ("/api/openapi.json", "/api/docs")
        if is_api and not undocumented and route.method not in ("HEAD", "OPTIONS"):
            served.add((route.method, path))
    assert served == documented
    assert len(documented) == len(ENDPOINTS)
    signup = spec["paths"]["/api/auth/signup"]["post"]
    assert signup["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "SignupRequest"
    )
    assert "422" in signup["responses"]


async def test_api_docs_page_lists_every_operation(api):
    response = await api.client.get("/api/docs")
    assert response.status == 200
    html = await response.text()
    for endpoint in ENDPOINTS:
        assert f'id="{endpoint.handler.__name__}"' in html


async def test_values_with_nul_bytes_are_422_everywhere(api):
    user = await api.sign_up(["employer"])
    await api.patch(f"/api/profiles/{user.id}", {"headline": "a\u0000b"}, as_=user, expect=422)
    await api.post(
        "/api/organizations", {"name": "a\u0000b", "type": "company"}, as_=user, expect=422
    )
    for path in ("/api/organizations?q=a%00b", "/api/jobs?q=a%00b", "/api/gigs?q=a%00b"):
        await api.get(path, as_=user, expect=422)


async def test_a_value_the_database_refuses_is_422_not_500(db, aiohttp_client):
    """The last line of defence: a value that slips past validation is still a 4xx."""

    async def handler(request: web.Request) -> web.Response:
        async with db.connection() as conn:
            await conn.execute("SELECT $1::text", "nul \x00 byte")  # PostgreSQL refuses NUL
        return web.Response(text="unreachable")

    app = web.Application(middlewares=[error_middleware])
    app.router.add_post("/api/probe", handler)
    client = await aiohttp_client(app)
    response = await client.post("/api/probe")
    assert response.status == 422
    assert response.content_type == "application/problem+json"


async def test_hand_made_cursors_with_unrepresentable_values_are_400(api):
    from server.paging import encode_cursor

    user = await api.sign_up()
    some_id = "00000000-0000-0000-0000-000000000000"
    bad_times = [
        encode_cursor("0001-01-01T00:00:00+14:00", some_id),  # out of PostgreSQL's range
        encode_cursor("2020-01-01T00:00:00", some_id),  # naive
    ]
    for cursor in bad_times:
        for path in ("/api/jobs", "/api/gigs", "/api/me/applications", "/api/conversations"):
            await api.get(f"{path}?cursor={cursor}", as_=user, expect=400)
    for path in ("/api/jobs?q=python", "/api/gigs?q=python"):
        await api.get(f"{path}&cursor={encode_cursor(1e308, some_id)}", as_=user, expect=400)
    nul_name = encode_cursor("a\u0000b", some_id)
    await api.get(f"/api/organizations?cursor={nul_name}", as_=user, expect=400)


async def test_an_over_long_request_line_is_a_414_problem_logged_as_a_client_error(client, caplog):
    caplog.set_level(logging.DEBUG)
    host, port = client.server.host, client.server.port
    line = b"GET /api/jobs?cursor=" + b"x" * 10_000 + b" HTTP/1.1\r\n"
    status, headers, body = await raw_request(host, port, line)
    assert status == 414
    assert headers["content-type"].startswith("application/problem+json")
    problem = json.loads(body)
    assert problem["type"] == "/docs/problems#uri-too-long"
    assert problem["status"] == 414
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    access = [r.getMessage() for r in caplog.records if r.name == "rizeos.access"]
    assert len(access) == 1 and "status=414" in access[0]
    # Just under the limit a request is routed as before (here to no route: 404).
    path = b"/api/" + b"x" * (MAX_REQUEST_TARGET - 5)
    status, _, body = await raw_request(host, port, b"GET " + path + b" HTTP/1.1\r\n")
    assert status == 404, body[:200]


async def test_a_request_the_http_parser_refuses_is_logged_as_one_warning(client, caplog):
    """Past what the parser reads (a header over 8 KB, a request line over 64 KB) aiohttp
    answers 400 itself, before any middleware: logged as the client's error, no traceback."""
    caplog.set_level(logging.DEBUG)
    for head in (
        b"GET /api/jobs HTTP/1.1\r\nX-Padding: " + b"x" * 10_000 + b"\r\n",
        b"GET /api/jobs?cursor=" + b"x" * 70_000 + b" HTTP/1.1\r\n",
    ):
        status, _, _ = await raw_request(client.server.host, client.server.port, head)
        assert status == 400
    refused = [r for r in caplog.records if "refused by the HTTP parser" in r.getMessage()]
    assert len(refused) == 2
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in refused)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def _aiohttp_errors() -> list[web.HTTPException]:
    """One instance of every HTTP error aiohttp defines (any of them can reach the
    middleware from a route or the router)."""
    dummies = {"method": "PUT", "allowed_methods": ["GET"], "max_size": 1, "actual_size": 2}
    errors = []
    for cls in _all_subclasses(web.HTTPException):
        if getattr(cls, "status_code", 0) < 400:
            continue
        params = inspect.signature(cls).parameters.values()
        required = {
            p.name: dummies.get(p.name, "https://rizeos.test")
            for p in params
            if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
        }
        errors.append(cls(**required))
    return errors


async def test_every_problem_type_the_code_emits_is_explained_on_docs_problems(api):
    emitted = {cls.slug for cls in _all_subclasses(AppError) | {AppError}}
    for exc in _aiohttp_errors():
        problem_type = _http_problem(exc).type
        if problem_type != "about:blank":  # RFC 9457: no more to say than the status
            emitted.add(problem_type.removeprefix(PROBLEM_BASE))
    assert {t.slug for t in PROBLEM_TYPES} == emitted
    response = await api.client.get("/docs/problems")
    assert response.status == 200
    assert response.content_type == "text/html"
    html = await response.text()
    for problem_type in PROBLEM_TYPES:
        assert f'id="{problem_type.slug}"' in html
        assert problem_type.uri in html
    # The types an answer carries are the ones the page lists.
    for path, method, status in (
        ("/api/nothing-here", "GET", 404),
        ("/api/auth/login", "PUT", 405),
    ):
        response = await api.client.request(method, path, json={})
        problem = await response.json(content_type=None)
        assert problem["status"] == status
        assert problem["type"].removeprefix(PROBLEM_BASE) in PROBLEMS
