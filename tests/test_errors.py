"""Which failures are answered as a retryable outage (503 with Retry-After) rather than a bug."""

from __future__ import annotations

import asyncpg
import pytest

from server.errors import is_outage


@pytest.mark.parametrize(
    "exc",
    [asyncpg.DeadlockDetectedError("deadlock detected"), asyncpg.SerializationError("could not")],
)
def test_a_transaction_lost_to_a_lock_race_is_retryable(exc):
    assert is_outage(exc)


def test_a_refused_statement_is_not_an_outage():
    assert not is_outage(asyncpg.UniqueViolationError("duplicate key"))
