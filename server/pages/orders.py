"""Pages for gig orders (issue 16): one order (/orders/{id}) and the two dashboards,
/me/orders?role=seller (a freelancer's "Orders") and /me/orders?role=buyer ("My orders").

The page answers only the order's buyer and seller (anyone else: 404, as the API does); its
content is drawn by static/js/pages/order.js from GET /api/orders/{id}, the same answer a
transition returns and a live notification makes it fetch again, so the page has one
renderer. The order form itself is a partial of the gig page (templates/partials/order_form.html).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server import keys
from server.orders.service import OrderService
from server.pages.web import PageRequest, page, redirect

ROLES = {"seller": "Orders", "buyer": "My orders"}


@page("/orders/{order_id}", "order.html")
async def order_page(p: PageRequest) -> dict[str, Any]:
    orders = OrderService(p.db, p.request.app[keys.SETTINGS])
    order = await orders.get(p.user.id, p.path_id("order_id"))
    return {"order": order, "role": "buyer" if order.buyer.id == p.user.id else "seller"}


@page("/me/orders", "orders.html")
async def my_orders(p: PageRequest) -> dict[str, Any] | web.StreamResponse:
    role = p.request.query.get("role", "")
    if role not in ROLES:
        # The header's links always name the role; a bare address picks the usual one.
        return redirect(f"/me/orders?role={'seller' if p.user.has('freelancer') else 'buyer'}")
    return {"role": role, "title": ROLES[role]}
