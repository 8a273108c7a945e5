"""HTTP routes for jobs."""

from aiohttp import web

routes = web.RouteTableDef()
