"""OIDC_PROVIDERS and its per-provider settings: read, defaulted, and refused when wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server.config import ConfigError, load_settings
from tests.processes import ROOT


def load(tmp_path, **env: str):
    return load_settings({"DATA_DIR": str(tmp_path), **env})


def test_no_providers_by_default(tmp_path):
    assert load(tmp_path).oidc_providers == ()


def test_an_openid_provider_and_a_plain_oauth_one(tmp_path):
    settings = load(
        tmp_path,
        OIDC_PROVIDERS="google, github",
        OIDC_GOOGLE_ISSUER="https://accounts.google.com",
        OIDC_GOOGLE_CLIENT_ID="id-1",
        OIDC_GOOGLE_CLIENT_SECRET="secret-1",
        OIDC_GITHUB_CLIENT_ID="id-2",
        OIDC_GITHUB_AUTHORIZE_URL="https://github.com/login/oauth/authorize",
        OIDC_GITHUB_TOKEN_URL="https://github.com/login/oauth/access_token",
        OIDC_GITHUB_USERINFO_URL="https://api.github.com/user",
        OIDC_GITHUB_LABEL="GitHub",
    )
    google, github = settings.oidc_providers
    assert (google.name, google.label, google.is_oidc) == ("google", "Google", True)
    assert google.scopes == "openid email profile" and google.client_secret == "secret-1"
    assert "secret-1" not in repr(google)
    assert (github.label, github.is_oidc, github.scopes) == ("GitHub", False, "user:email")
    assert settings.oidc_provider("github") is github and settings.oidc_provider("x") is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_PROVIDERS": "Google"}, "OIDC_PROVIDERS names may hold"),
        ({"OIDC_PROVIDERS": "a,a", "OIDC_A_CLIENT_ID": "x", "OIDC_A_ISSUER": "https://a"}, "twice"),
        ({"OIDC_PROVIDERS": "a", "OIDC_A_ISSUER": "https://a"}, "OIDC_A_CLIENT_ID is required"),
        ({"OIDC_PROVIDERS": "a", "OIDC_A_CLIENT_ID": "x"}, "needs OIDC_A_ISSUER"),
        (
            {"OIDC_PROVIDERS": "a", "OIDC_A_CLIENT_ID": "x", "OIDC_A_ISSUER": "ftp://a"},
            "OIDC_A_ISSUER must be an http",
        ),
        (
            {
                "OIDC_PROVIDERS": "a",
                "OIDC_A_CLIENT_ID": "x",
                "OIDC_A_AUTHORIZE_URL": "https://a/authorize",
            },
            "missing OIDC_A_TOKEN_URL, OIDC_A_USERINFO_URL",
        ),
        (
            {
                "OIDC_PROVIDERS": "a",
                "OIDC_A_CLIENT_ID": "x",
                "OIDC_A_ISSUER": "https://a",
                "OIDC_A_SCOPES": "email",
            },
            "OIDC_A_SCOPES must include openid",
        ),
    ],
)
def test_bad_provider_settings_stop_the_server_naming_the_variable(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, **env)


def test_the_server_refuses_to_start_with_half_a_provider(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "server"],
        cwd=ROOT,
        env={**os.environ, "DATA_DIR": str(tmp_path), "OIDC_PROVIDERS": "google"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "configuration error: OIDC_GOOGLE_CLIENT_ID is required" in result.stderr
