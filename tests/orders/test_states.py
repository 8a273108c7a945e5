"""The order state machine on its own (server/orders/states.py): every transition, and every
refusal with the right kind (403: never this party's move; 409: theirs, not from here)."""

from __future__ import annotations

import itertools

import pytest

from server.errors import Conflict, Forbidden
from server.orders import states

STATUSES = [
    "requested",
    "in_progress",
    "delivered",
    "in_revision",
    "completed",
    "declined",
    "cancelled",
]
ROLES = ["buyer", "seller", "platform"]
# (action, who may take it, from, to): the table of docs/orders.md.
LEGAL = {
    ("accept", "seller", "requested", "in_progress"),
    ("decline", "seller", "requested", "declined"),
    ("cancel", "buyer", "requested", "cancelled"),
    ("cancel", "seller", "requested", "cancelled"),
    ("cancel", "buyer", "in_progress", "cancelled"),
    ("cancel", "seller", "in_progress", "cancelled"),
    ("deliver", "seller", "in_progress", "delivered"),
    ("deliver", "seller", "in_revision", "delivered"),
    ("request-revision", "buyer", "delivered", "in_revision"),
    ("complete", "buyer", "delivered", "completed"),
    ("auto-complete", "platform", "delivered", "completed"),
}
MOVERS = {
    "accept": {"seller"},
    "decline": {"seller"},
    "cancel": {"buyer", "seller"},
    "deliver": {"seller"},
    "request-revision": {"buyer"},
    "complete": {"buyer"},
    "auto-complete": {"platform"},
}


def test_statuses_are_active_or_closed():
    assert list(states.STATUSES) == STATUSES
    assert set(states.ACTIVE) == {"requested", "in_progress", "delivered", "in_revision"}
    assert set(states.CLOSED) == {"completed", "declined", "cancelled"} == set(states.FINAL)


@pytest.mark.parametrize("action,role,current,target", sorted(LEGAL))
def test_each_transition_moves_to_its_target(action, role, current, target):
    assert states.check(action, current, role, revisions_left=1) == target
    assert action in states.allowed_actions(current, role, 1) or role == "platform"


EVERY = list(itertools.product(MOVERS, ROLES, STATUSES))


@pytest.mark.parametrize("action,role,current", EVERY)
def test_every_other_move_is_refused_with_403_or_409(action, role, current):
    if any(move[:3] == (action, role, current) for move in LEGAL):
        return
    if role not in MOVERS[action]:
        with pytest.raises(Forbidden, match="only the"):
            states.check(action, current, role, revisions_left=1)
    else:
        with pytest.raises(Conflict, match="allowed now"):
            states.check(action, current, role, revisions_left=1)


@pytest.mark.parametrize("current", ["completed", "declined", "cancelled"])
@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_final_states_allow_nothing(current, role):
    assert states.allowed_actions(current, role, 5) == []
    with pytest.raises(Conflict, match="allowed now: none"):
        states.check("cancel", current, role, 5)


def test_a_revision_needs_one_left():
    assert states.check("request-revision", "delivered", "buyer", revisions_left=1) == (
        "in_revision"
    )
    with pytest.raises(Conflict, match=r"no revisions are left.*allowed now: complete"):
        states.check("request-revision", "delivered", "buyer", revisions_left=0)
    assert states.allowed_actions("delivered", "buyer", 0) == ["complete"]
    assert states.allowed_actions("delivered", "buyer", 2) == ["request-revision", "complete"]


@pytest.mark.parametrize("current", ["delivered", "in_revision"])
def test_nothing_delivered_can_be_cancelled(current):
    for role in ("buyer", "seller"):
        with pytest.raises(Conflict, match="can no longer be cancelled"):
            states.check("cancel", current, role, 1)


def test_the_conflict_names_what_the_caller_may_do_instead():
    expected = "cannot accept an order that is in_progress; allowed now: deliver, cancel"
    with pytest.raises(Conflict, match=expected):
        states.check("accept", "in_progress", "seller", 1)


def test_forbidden_says_who_may():
    with pytest.raises(Forbidden, match="only the seller can accept"):
        states.check("accept", "requested", "buyer", 1)
    with pytest.raises(Forbidden, match="only the buyer can request revision"):
        states.check("request-revision", "delivered", "seller", 1)
    with pytest.raises(Forbidden, match="only the platform can auto complete"):
        states.check("auto-complete", "delivered", "buyer", 1)
    with pytest.raises(Forbidden, match="only the buyer or the seller can cancel"):
        states.check("cancel", "requested", "platform", 1)


@pytest.mark.parametrize(
    "current,role,expected",
    [
        ("requested", "seller", ["accept", "decline", "cancel"]),
        ("requested", "buyer", ["cancel"]),
        ("in_progress", "seller", ["deliver", "cancel"]),
        ("in_progress", "buyer", ["cancel"]),
        ("delivered", "seller", []),
        ("delivered", "buyer", ["request-revision", "complete"]),
        ("in_revision", "seller", ["deliver"]),
        ("in_revision", "buyer", []),
    ],
)
def test_allowed_actions_per_party(current, role, expected):
    assert states.allowed_actions(current, role, 1) == expected
