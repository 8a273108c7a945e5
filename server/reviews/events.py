"""The live events of reviews: their payload (the orders' OrderNotice) and who receives
them. Each is stored as a notification in the review's transaction and emitted on
/notifications after the commit.

| event | recipients |
|---|---|
| order.reviewed | the seller, when the buyer reviews a completed order |
| order.review_replied | the buyer, when the seller replies to the review |
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from server.orders.events import OrderNotice

ORDER_REVIEWED = "order.reviewed"
ORDER_REVIEW_REPLIED = "order.review_replied"
ACTIONS = {ORDER_REVIEWED: "review", ORDER_REVIEW_REPLIED: "review-reply"}


def review_notice(order: Mapping, type: str, actor_id: uuid.UUID, at: datetime):
    """The payload about ``order`` (``get_order_to_review``) and the one who hears of it:
    the other party of the order."""
    payload = OrderNotice(
        order_id=order["id"],
        gig_id=order["gig_id"],
        gig_title=order["gig_title"],
        buyer_id=order["buyer_id"],
        seller_id=order["seller_id"],
        status=order["status"],
        previous_status=None,
        action=ACTIONS[type],
        actor_id=actor_id,
        due_at=order["due_at"],
        at=at,
    )
    recipient = order["seller_id"] if actor_id == order["buyer_id"] else order["buyer_id"]
    return recipient, payload
