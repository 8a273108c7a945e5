"""HTTP routes for orgs."""

from aiohttp import web

routes = web.RouteTableDef()
