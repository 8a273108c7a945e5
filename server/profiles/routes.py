"""HTTP routes for profiles."""

from aiohttp import web

routes = web.RouteTableDef()
