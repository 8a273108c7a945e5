"""HTTP routes for applications."""

from aiohttp import web

routes = web.RouteTableDef()
