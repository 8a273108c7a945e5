"""The application state machine on its own (server/applications/states.py)."""

from __future__ import annotations

import itertools

import pytest

from server.applications import states
from server.errors import Conflict, Forbidden

COMPANY_PATH = [
    ("submitted", "viewed"),
    ("viewed", "shortlisted"),
    ("shortlisted", "interviewing"),
    ("interviewing", "offered"),
    ("offered", "hired"),
]
OPEN = ["submitted", "viewed", "shortlisted", "interviewing", "offered"]
FINAL = ["hired", "rejected", "withdrawn"]


def test_open_and_final_states_partition_all_states():
    assert set(states.OPEN) == set(OPEN)
    assert set(states.FINAL) == set(FINAL)
    assert set(states.STATUSES) == set(OPEN) | set(FINAL)


@pytest.mark.parametrize("current,target", COMPANY_PATH)
def test_company_moves_one_step_along_the_pipeline(current, target):
    states.check_move(current, target, states.COMPANY)
    assert states.next_statuses(current, states.COMPANY) == (target, "rejected")


@pytest.mark.parametrize("current", OPEN)
def test_company_rejects_from_any_open_state(current):
    states.check_move(current, "rejected", states.COMPANY)


@pytest.mark.parametrize("current", OPEN)
def test_candidate_withdraws_from_any_open_state(current):
    states.check_move(current, "withdrawn", states.CANDIDATE)
    assert states.next_statuses(current, states.CANDIDATE) == ("withdrawn",)


LEGAL = {(c, t, states.COMPANY) for c, t in COMPANY_PATH}
LEGAL |= {(c, "rejected", states.COMPANY) for c in OPEN}
LEGAL |= {(c, "withdrawn", states.CANDIDATE) for c in OPEN}
EVERY_MOVE = list(itertools.product(states.STATUSES, states.STATUSES, ["company", "candidate"]))


@pytest.mark.parametrize("current,target,actor", [m for m in EVERY_MOVE if m not in LEGAL])
def test_every_other_move_is_refused(current, target, actor):
    with pytest.raises((Conflict, Forbidden)):
        states.check_move(current, target, actor)


@pytest.mark.parametrize("current", OPEN + FINAL)
@pytest.mark.parametrize("target", [s for s in states.STATUSES if s != "withdrawn"])
def test_candidate_may_do_nothing_but_withdraw(current, target):
    with pytest.raises(Forbidden, match="only withdraw"):
        states.check_move(current, target, states.CANDIDATE)


@pytest.mark.parametrize("current", OPEN + FINAL)
def test_company_never_withdraws(current):
    with pytest.raises(Forbidden, match="only the candidate"):
        states.check_move(current, "withdrawn", states.COMPANY)


@pytest.mark.parametrize("current", FINAL)
@pytest.mark.parametrize("target", ["viewed", "shortlisted", "hired", "rejected"])
def test_final_states_never_move(current, target):
    assert states.next_statuses(current, states.COMPANY) == ()
    assert states.next_statuses(current, states.CANDIDATE) == ()
    with pytest.raises(Conflict, match="none, it is final"):
        states.check_move(current, target, states.COMPANY)


def test_skipping_a_step_names_the_allowed_next_states():
    with pytest.raises(Conflict) as refused:
        states.check_move("submitted", "offered", states.COMPANY)
    assert refused.value.detail == (
        "cannot move a submitted application to offered; allowed next: viewed, rejected"
    )


def test_staying_put_is_not_a_move():
    with pytest.raises(Conflict):
        states.check_move("viewed", "viewed", states.COMPANY)


def test_withdrawing_twice_is_a_conflict_not_a_permission_error():
    with pytest.raises(Conflict, match="none, it is final"):
        states.check_move("withdrawn", "withdrawn", states.CANDIDATE)
