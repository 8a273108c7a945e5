"""HTTP routes for gig orders (docs/orders.md)."""

from __future__ import annotations

from aiohttp import web

from server.api import USER, VERIFIED, ApiRequest, endpoint
from server.orders import schemas
from server.orders.service import OrderService

routes = web.RouteTableDef()
TAG = "orders"
# Every transition answers the same way: the order as the move left it.
MOVE_ERRORS = (403, 404, 409, 422)


def _service(api: ApiRequest) -> OrderService:
    return OrderService(api.db, api.settings)


@endpoint(
    routes,
    "POST",
    "/api/gigs/{gig_id}/orders",
    summary="Order one tier of a gig, with your requirements (no payment is taken)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrderCreate,
    response=schemas.Order,
    status=201,
    errors=(403, 404, 422),
)
async def place_order(api: ApiRequest) -> schemas.Order:
    """The tier's price, currency, delivery days, revisions and description are copied onto
    the order: a later edit of the gig changes nothing. The order starts `requested`, with its
    own conversation between buyer and seller; the seller is notified (`order.created`).
    404: no such gig, or a paused one; 403: your own gig; 422: a tier the gig does not offer
    (`body.tier`), or an attachment that is not a completed `order_file` upload of yours."""
    return await _service(api).place(api.user.user_id, api.path_id("gig_id"), api.body)


@endpoint(
    routes,
    "GET",
    "/api/me/orders",
    summary="Orders I placed (role=buyer) or received (role=seller), newest first",
    tag=TAG,
    auth=USER,
    query=schemas.OrderListQuery,
    response=schemas.OrderPage,
    errors=(400,),
)
async def list_my_orders(api: ApiRequest) -> schemas.OrderPage:
    """`status`: one status, `active` or `closed`. Keyset paged: pass back `next` as
    `cursor`."""
    return await _service(api).list_mine(api.user.user_id, api.query)


@endpoint(
    routes,
    "GET",
    "/api/orders/{order_id}",
    summary="One order with its deliveries and timeline, for its buyer or seller",
    tag=TAG,
    auth=USER,
    response=schemas.Order,
    errors=(404,),
)
async def get_order(api: ApiRequest) -> schemas.Order:
    """Anyone but the buyer and the seller gets 404. `actions` lists what you may do now."""
    return await _service(api).get(api.user.user_id, api.path_id("order_id"))


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/accept",
    summary="Accept a requested order (the seller): it is due the tier's delivery days from now",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Order,
    errors=MOVE_ERRORS,
)
async def accept_order(api: ApiRequest) -> schemas.Order:
    """403: you are the buyer; 409: the order is not `requested` (the detail names what you
    may do now). No body (or `{}`)."""
    return await _service(api).act(api.user.user_id, api.path_id("order_id"), "accept")


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/decline",
    summary="Decline a requested order, saying why (the seller)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrderDecline,
    response=schemas.Order,
    errors=MOVE_ERRORS,
)
async def decline_order(api: ApiRequest) -> schemas.Order:
    return await _service(api).act(api.user.user_id, api.path_id("order_id"), "decline", api.body)


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/deliver",
    summary="Deliver the work: a message and files (the seller)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrderDeliver,
    response=schemas.Order,
    errors=MOVE_ERRORS,
)
async def deliver_order(api: ApiRequest) -> schemas.Order:
    """From `in_progress` or `in_revision`. `files`: completed `order_file` uploads of yours
    (422 on `body.files[i]` otherwise). Unless the buyer answers, the order completes by
    itself ORDER_AUTO_COMPLETE_DAYS later (`auto_complete_at`)."""
    return await _service(api).act(api.user.user_id, api.path_id("order_id"), "deliver", api.body)


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/request-revision",
    summary="Ask for a revision of the delivery (the buyer, while revisions are left)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrderRevisionRequest,
    response=schemas.Order,
    errors=MOVE_ERRORS,
)
async def request_order_revision(api: ApiRequest) -> schemas.Order:
    """Uses one of the tier's revisions (409 when none is left); the order is due again the
    tier's delivery days from now."""
    return await _service(api).act(
        api.user.user_id, api.path_id("order_id"), "request-revision", api.body
    )


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/complete",
    summary="Accept the delivery and complete the order (the buyer)",
    tag=TAG,
    auth=VERIFIED,
    response=schemas.Order,
    errors=MOVE_ERRORS,
)
async def complete_order(api: ApiRequest) -> schemas.Order:
    """No body (or `{}`). A completed order can be reviewed (POST /api/orders/{id}/review)."""
    return await _service(api).act(api.user.user_id, api.path_id("order_id"), "complete")


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/cancel",
    summary="Cancel an order before anything was delivered, saying why (buyer or seller)",
    tag=TAG,
    auth=VERIFIED,
    body=schemas.OrderCancel,
    response=schemas.Order,
    errors=MOVE_ERRORS,
)
async def cancel_order(api: ApiRequest) -> schemas.Order:
    """From `requested` or `in_progress`; once delivered (or in revision), 409."""
    return await _service(api).act(api.user.user_id, api.path_id("order_id"), "cancel", api.body)
