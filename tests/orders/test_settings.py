"""ORDER_AUTO_COMPLETE_DAYS and ORDER_DUE_REMINDER_HOURS: read, defaulted and checked."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_settings


def settings_with(tmp_path, **env: str):
    return load_settings({"DATA_DIR": str(tmp_path), **env})


def test_defaults(tmp_path):
    settings = settings_with(tmp_path)
    assert settings.order_auto_complete_days == 3.0
    assert settings.order_due_reminder_hours == 24.0


def test_fractions_are_allowed(tmp_path):
    settings = settings_with(
        tmp_path, ORDER_AUTO_COMPLETE_DAYS="0.00003", ORDER_DUE_REMINDER_HOURS="1.5"
    )
    assert settings.order_auto_complete_days == 0.00003
    assert settings.order_due_reminder_hours == 1.5


@pytest.mark.parametrize(
    "name,value",
    [
        ("ORDER_AUTO_COMPLETE_DAYS", "0"),
        ("ORDER_AUTO_COMPLETE_DAYS", "-1"),
        ("ORDER_AUTO_COMPLETE_DAYS", "soon"),
        ("ORDER_AUTO_COMPLETE_DAYS", "366"),
        ("ORDER_AUTO_COMPLETE_DAYS", "nan"),
        ("ORDER_DUE_REMINDER_HOURS", "0"),
        ("ORDER_DUE_REMINDER_HOURS", "a day"),
        ("ORDER_DUE_REMINDER_HOURS", "9000"),
    ],
)
def test_bad_values_stop_the_server_naming_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        settings_with(tmp_path, **{name: value})
