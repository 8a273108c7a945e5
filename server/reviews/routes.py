"""HTTP routes for reviews of gig orders (docs/marketplace.md, "Reviews")."""

from __future__ import annotations

from aiohttp import web

from server.api import PUBLIC, USER, ApiRequest, endpoint
from server.reviews import schemas
from server.reviews.service import ReviewService

routes = web.RouteTableDef()
TAG = "reviews"


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/review",
    summary="Review a completed order you bought: 1-5 stars and optional text, once",
    tag=TAG,
    auth=USER,
    body=schemas.ReviewCreate,
    response=schemas.Review,
    status=201,
    errors=(403, 404, 409),
)
async def create_review(api: ApiRequest) -> schemas.Review:
    """404: no such order, or not yours; 403: you are its seller; 409: the order is not
    completed, or already reviewed. The seller is notified (`order.reviewed`)."""
    return await ReviewService(api.db).create(api.user.user_id, api.path_id("order_id"), api.body)


@endpoint(
    routes,
    "PATCH",
    "/api/orders/{order_id}/review",
    summary="Change your review's stars or text, within 14 days of writing it",
    tag=TAG,
    auth=USER,
    body=schemas.ReviewUpdate,
    response=schemas.Review,
    errors=(403, 404, 409),
)
async def update_review(api: ApiRequest) -> schemas.Review:
    """Absent fields stay as they are. 409 once `editable_until` has passed."""
    return await ReviewService(api.db).update(api.user.user_id, api.path_id("order_id"), api.body)


@endpoint(
    routes,
    "POST",
    "/api/orders/{order_id}/review/reply",
    summary="Reply to the review of an order you sold, once",
    tag=TAG,
    auth=USER,
    body=schemas.ReviewReply,
    response=schemas.Review,
    errors=(403, 404, 409),
)
async def reply_to_review(api: ApiRequest) -> schemas.Review:
    """The buyer is notified (`order.review_replied`). 409 on a second reply."""
    return await ReviewService(api.db).reply(api.user.user_id, api.path_id("order_id"), api.body)


@endpoint(
    routes,
    "GET",
    "/api/orders/{order_id}/review",
    summary="The review of an order you bought or sold (404 when it has none)",
    tag=TAG,
    auth=USER,
    response=schemas.Review,
)
async def get_review(api: ApiRequest) -> schemas.Review:
    return await ReviewService(api.db).get(api.user.user_id, api.path_id("order_id"))


@endpoint(
    routes,
    "GET",
    "/api/gigs/{gig_id}/reviews",
    summary="A gig's reviews, newest first, with its average rating and count",
    tag=TAG,
    auth=PUBLIC,
    query=schemas.ReviewListQuery,
    response=schemas.GigReviewPage,
    errors=(400,),
)
async def list_gig_reviews(api: ApiRequest) -> schemas.GigReviewPage:
    """Keyset paged: pass back `next` as `cursor`."""
    viewer = api.caller.user_id if api.caller else None
    return await ReviewService(api.db).list_for_gig(viewer, api.path_id("gig_id"), api.query)


@endpoint(
    routes,
    "GET",
    "/api/users/{user_id}/rating",
    summary="A freelancer's rating over the reviews of all their orders",
    tag=TAG,
    auth=PUBLIC,
    response=schemas.SellerRating,
)
async def get_seller_rating(api: ApiRequest) -> schemas.SellerRating:
    return await ReviewService(api.db).seller_rating(api.path_id("user_id"))
