"""EXPORT_TTL_HOURS: read, defaulted and checked."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_settings


def settings_with(tmp_path, **env: str):
    return load_settings({"DATA_DIR": str(tmp_path), **env})


def test_a_ready_export_is_kept_three_days_by_default(tmp_path):
    assert settings_with(tmp_path).export_ttl_hours == 72.0


def test_fractions_are_allowed(tmp_path):
    assert settings_with(tmp_path, EXPORT_TTL_HOURS="0.5").export_ttl_hours == 0.5


@pytest.mark.parametrize("value", ["0", "-1", "a week", "nan", "9000"])
def test_bad_values_stop_the_server_naming_the_variable(tmp_path, value):
    with pytest.raises(ConfigError, match="EXPORT_TTL_HOURS"):
        settings_with(tmp_path, EXPORT_TTL_HOURS=value)
