"""Liveness and readiness probes."""

from __future__ import annotations

import msgspec
from aiohttp import web

from server import keys
from server.api import PUBLIC, ApiRequest, endpoint, json_response
from server.db import pending_migrations

routes = web.RouteTableDef()


class Health(msgspec.Struct):
    status: str
    pending_migrations: list[str] = []


@endpoint(
    routes, "GET", "/healthz", summary="Alive", tag="operations", auth=PUBLIC, response=Health
)
async def healthz(api: ApiRequest) -> Health:
    return Health(status="ok")


@endpoint(
    routes,
    "GET",
    "/readyz",
    summary="Ready: database reachable and every migration applied (503 otherwise)",
    tag="operations",
    auth=PUBLIC,
    response=Health,
    errors=(503,),
)
async def readyz(api: ApiRequest) -> web.Response:
    db = api.app.get(keys.DB)
    if db is None:
        return json_response(Health(status="starting"), 503)
    try:
        async with db.connection() as conn:
            await db.q.schema.ping(conn)
            pending = await pending_migrations(conn, db.q)
    except Exception as exc:  # any database failure means "not ready", never a 500
        return json_response(Health(status=f"database unavailable: {type(exc).__name__}"), 503)
    if pending:
        return json_response(Health(status="migrations pending", pending_migrations=pending), 503)
    return json_response(Health(status="ready"))
