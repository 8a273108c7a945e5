"""The order state machine: which action moves an order from which status, and who takes it.

    action            who                 from                      to
    accept            seller              requested                 in_progress
    decline           seller              requested                 declined
    cancel            buyer or seller     requested, in_progress    cancelled
    deliver           seller              in_progress, in_revision  delivered
    request-revision  buyer               delivered (a revision     in_revision
                                          left)
    complete          buyer               delivered                 completed
    auto-complete     the platform        delivered                 completed
                      (ORDER_AUTO_COMPLETE_DAYS after the last delivery)

completed, declined and cancelled are final. Cancelling is only possible before the first
delivery: once something was delivered the buyer accepts it or asks for a revision.
docs/orders.md draws it. Pure: no I/O, so every rule is unit-tested on its own and the
service only applies the answer with a compare-and-set on the order's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.errors import Conflict, Forbidden

Status = Literal[
    "requested",
    "in_progress",
    "delivered",
    "in_revision",
    "completed",
    "declined",
    "cancelled",
]
STATUSES: tuple[Status, ...] = (
    "requested",
    "in_progress",
    "delivered",
    "in_revision",
    "completed",
    "declined",
    "cancelled",
)
FINAL: frozenset[Status] = frozenset({"completed", "declined", "cancelled"})
ACTIVE: tuple[Status, ...] = tuple(s for s in STATUSES if s not in FINAL)
CLOSED: tuple[Status, ...] = tuple(s for s in STATUSES if s in FINAL)

Action = Literal[
    "accept", "decline", "deliver", "request-revision", "complete", "cancel", "auto-complete"
]
# The action recorded (order_events, notifications) when an order is placed; not a move.
CREATE = "create"
Role = Literal["buyer", "seller", "platform"]
BUYER: Role = "buyer"
SELLER: Role = "seller"
PLATFORM: Role = "platform"


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    movers: frozenset[Role]
    sources: tuple[Status, ...]
    target: Status


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition("accept", frozenset({SELLER}), ("requested",), "in_progress"),
        Transition("decline", frozenset({SELLER}), ("requested",), "declined"),
        Transition("deliver", frozenset({SELLER}), ("in_progress", "in_revision"), "delivered"),
        Transition("request-revision", frozenset({BUYER}), ("delivered",), "in_revision"),
        Transition("complete", frozenset({BUYER}), ("delivered",), "completed"),
        Transition("cancel", frozenset({BUYER, SELLER}), ("requested", "in_progress"), "cancelled"),
        Transition("auto-complete", frozenset({PLATFORM}), ("delivered",), "completed"),
    )
}
# The actions a person may take, in the order a page offers them.
ACTIONS: tuple[Action, ...] = tuple(a for a in TRANSITIONS if a != "auto-complete")


def can_take(transition: Transition, status: Status, revisions_left: int) -> bool:
    if status not in transition.sources:
        return False
    return transition.action != "request-revision" or revisions_left > 0


def allowed_actions(status: Status, role: Role, revisions_left: int) -> list[Action]:
    """What ``role`` may do to an order in ``status`` now, in ACTIONS order."""
    return [
        action
        for action in ACTIONS
        if role in TRANSITIONS[action].movers
        and can_take(TRANSITIONS[action], status, revisions_left)
    ]


def describe(actions: list[Action]) -> str:
    return ", ".join(actions) if actions else "none"


def _only(movers: frozenset[Role]) -> str:
    if movers == {BUYER, SELLER}:
        return "the buyer or the seller"
    if movers == {PLATFORM}:
        return "the platform"
    return "the " + next(iter(movers))


def check(action: Action, status: Status, role: Role, revisions_left: int) -> Status:
    """The status ``action`` moves an order in ``status`` to, when ``role`` may take it.

    403 when the action is never this party's to take (whatever the status); 409 when it is
    theirs but not from this status (or no revision is left), naming what they may do now.
    """
    transition = TRANSITIONS[action]
    if role not in transition.movers:
        raise Forbidden(f"only {_only(transition.movers)} can {action.replace('-', ' ')} an order")
    if can_take(transition, status, revisions_left):
        return transition.target
    allowed = describe(allowed_actions(status, role, revisions_left))
    if action == "request-revision" and status == "delivered":
        raise Conflict(
            f"no revisions are left on this order (all were used); allowed now: {allowed}"
        )
    if action == "cancel" and status in ("delivered", "in_revision"):
        raise Conflict(
            f"a {status} order can no longer be cancelled: something was delivered; "
            f"allowed now: {allowed}"
        )
    raise Conflict(
        f"cannot {action.replace('-', ' ')} an order that is {status}; allowed now: {allowed}"
    )
