"""HTTP routes for gigs."""

from aiohttp import web

routes = web.RouteTableDef()
