"""Where the worker runs: RUN_WORKER, checked at start-up like every setting."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_settings
from server.worker import backoff, runs_in_web

EXTERNAL = {"DATABASE_URL": "postgresql://db/rizeos", "SECRET_KEY": "k" * 40}


def test_the_embedded_default_runs_the_worker_in_the_web_process(tmp_path):
    assert runs_in_web(load_settings({"DATA_DIR": str(tmp_path)}))
    assert not runs_in_web(load_settings(EXTERNAL))  # the Procfile's worker: does it
    assert runs_in_web(load_settings({**EXTERNAL, "RUN_WORKER": "yes"}))
    assert not runs_in_web(load_settings({"DATA_DIR": str(tmp_path), "RUN_WORKER": "no"}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RUN_WORKER", "sometimes"),
        ("WORKER_HEARTBEAT_SECONDS", "0"),
        ("ENRICHMENT_MAX_ATTEMPTS", "many"),
        ("ENRICHMENT_TIMEOUT_SECONDS", "0"),
        ("RESUME_MAX_PAGES", "0"),
        ("ENRICHMENT_TEST_DELAY_SECONDS", "-1"),
    ],
)
def test_a_bad_worker_setting_stops_start_up_naming_it(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**EXTERNAL, name: value})


def test_retries_back_off_exponentially_up_to_five_minutes():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff(30).total_seconds() == 300
