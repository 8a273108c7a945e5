"""The application state machine: which status may follow which, and who may move it.

    submitted → viewed → shortlisted → interviewing → offered → hired
    any open state → rejected     (the hiring company)
    any open state → withdrawn    (the candidate)

hired, rejected and withdrawn are final. The company moves an application one step along the
pipeline or rejects it; the candidate can only withdraw. Pure: no I/O, so every rule is
unit-tested on its own and the service only has to apply the answer with a compare-and-set.
"""

from __future__ import annotations

from typing import Literal

from server.errors import Conflict, Forbidden

Status = Literal[
    "submitted",
    "viewed",
    "shortlisted",
    "interviewing",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
]
Actor = Literal["candidate", "company"]
CANDIDATE: Actor = "candidate"
COMPANY: Actor = "company"

PIPELINE: tuple[Status, ...] = (
    "submitted",
    "viewed",
    "shortlisted",
    "interviewing",
    "offered",
    "hired",
)
STATUSES: tuple[Status, ...] = (*PIPELINE, "rejected", "withdrawn")
FINAL: frozenset[Status] = frozenset({"hired", "rejected", "withdrawn"})
OPEN: frozenset[Status] = frozenset(STATUSES) - FINAL


def mover(target: Status) -> Actor:
    """The only party that may ever put an application into ``target``."""
    return CANDIDATE if target == "withdrawn" else COMPANY


def next_statuses(current: Status, actor: Actor) -> tuple[Status, ...]:
    """What ``actor`` may move an application in ``current`` to, in pipeline order."""
    if current in FINAL:
        return ()
    if actor == CANDIDATE:
        return ("withdrawn",)
    return (PIPELINE[PIPELINE.index(current) + 1], "rejected")


def describe(allowed: tuple[Status, ...]) -> str:
    return ", ".join(allowed) if allowed else "none, it is final"


def check_move(current: Status, target: Status, actor: Actor) -> None:
    """Raise unless ``actor`` may move an application from ``current`` to ``target``.

    403 when the move is never this party's to make (whatever the state), 409 when it is
    theirs but not from this state; the 409 names what is allowed instead.
    """
    if mover(target) != actor:
        if actor == CANDIDATE:
            raise Forbidden("a candidate can only withdraw their application")
        raise Forbidden("only the candidate can withdraw an application")
    allowed = next_statuses(current, actor)
    if target not in allowed:
        raise Conflict(
            f"cannot move a {current} application to {target}; allowed next: {describe(allowed)}"
        )
