"""The seller badge on a gig card, from the seller's figures (seller_stats, kept by the
triggers of migration 0027): completed orders, and the count and sum of the ratings of the
reviews of their orders. One primary-key lookup per card; the rule is documented in
docs/marketplace.md.

* ``top_rated``: at least 10 completed orders and at least 5 reviews averaging 4.7 or more.
* ``rising``: at least one completed order and at least one review, averaging 4.5 or more.
* ``new_seller``: no completed order yet.
* none otherwise (orders completed, but not reviewed yet or reviewed below 4.5).
"""

from __future__ import annotations

TOP_RATED_ORDERS = 10
TOP_RATED_REVIEWS = 5
TOP_RATED_AVERAGE = 4.7
RISING_AVERAGE = 4.5


def seller_badge(completed_orders: int, rating_count: int, rating_sum: int) -> str | None:
    if completed_orders == 0:
        return "new_seller"
    if rating_count == 0:
        return None
    average = rating_sum / rating_count
    if (
        completed_orders >= TOP_RATED_ORDERS
        and rating_count >= TOP_RATED_REVIEWS
        and average >= TOP_RATED_AVERAGE
    ):
        return "top_rated"
    if average >= RISING_AVERAGE:
        return "rising"
    return None
