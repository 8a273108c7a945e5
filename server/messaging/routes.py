"""HTTP routes for messaging."""

from aiohttp import web

routes = web.RouteTableDef()
