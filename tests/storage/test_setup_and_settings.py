"""Choosing the backend from settings, their validation, and `python -m server storage-setup`."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

import server.storage.setup as storage_setup_module
from server.config import ConfigError, load_settings
from server.storage.b2 import LIFECYCLE_RULES, cors_rules
from tests.processes import ROOT
from tests.storage.conftest import BUCKET

B2_ENV = {
    "B2_KEY_ID": "004a1b2c3d0000000000001",
    "B2_APPLICATION_KEY": "K004secret",
    "B2_BUCKET": "rizeos-files",
    "B2_S3_ENDPOINT": "https://s3.us-west-004.backblazeb2.com",
}


def settings_from(tmp_path, **env):
    return load_settings({"DATA_DIR": str(tmp_path), **env})


def test_local_storage_is_the_default(tmp_path):
    settings = settings_from(tmp_path)
    assert settings.storage_backend == "local"
    assert settings.upload_grant_ttl_seconds == 600
    assert settings.cors_origins == ("http://localhost:8080",)


def test_b2_is_chosen_when_its_credentials_are_set(tmp_path):
    settings = settings_from(tmp_path, **B2_ENV)
    assert settings.storage_backend == "b2"
    assert settings.b2_region == "us-west-004"
    assert "K004secret" not in repr(settings)
    explicit = settings_from(tmp_path, **B2_ENV, B2_REGION="eu-central-003")
    assert explicit.b2_region == "eu-central-003"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"B2_KEY_ID": "x"}, "missing B2_APPLICATION_KEY, B2_BUCKET, B2_S3_ENDPOINT"),
        ({**B2_ENV, "B2_BUCKET": ""}, "missing B2_BUCKET"),
        ({**B2_ENV, "B2_S3_ENDPOINT": "s3.example"}, "B2_S3_ENDPOINT"),
        ({**B2_ENV, "B2_S3_ENDPOINT": "https://storage.example"}, "B2_REGION"),
        ({"UPLOAD_GRANT_TTL_SECONDS": "901"}, "UPLOAD_GRANT_TTL_SECONDS"),
        ({"UPLOAD_GRANT_TTL_SECONDS": "0"}, "UPLOAD_GRANT_TTL_SECONDS"),
        ({"DOWNLOAD_URL_TTL_SECONDS": "86400"}, "DOWNLOAD_URL_TTL_SECONDS"),
        ({"UPLOAD_SWEEP_INTERVAL_SECONDS": "0"}, "UPLOAD_SWEEP_INTERVAL_SECONDS"),
        ({"UPLOAD_CORS_ORIGINS": "https://a.example/path"}, "UPLOAD_CORS_ORIGINS"),
        ({"UPLOAD_CORS_ORIGINS": "*"}, "UPLOAD_CORS_ORIGINS"),
    ],
)
def test_bad_storage_settings_stop_the_server(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from(tmp_path, **env)


def test_cors_origins_can_be_listed(tmp_path):
    settings = settings_from(
        tmp_path, UPLOAD_CORS_ORIGINS="https://rizeos.example, https://www.rizeos.example/"
    )
    assert settings.cors_origins == ("https://rizeos.example", "https://www.rizeos.example")
    behind_a_path = settings_from(tmp_path, PUBLIC_URL="https://rizeos.example/app/")
    assert behind_a_path.cors_origins == ("https://rizeos.example",)


async def test_storage_setup_command_on_the_local_store(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("B2_")}
    env.pop("DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "storage-setup",
        cwd=ROOT,
        env={**env, "DATA_DIR": str(tmp_path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "local storage" in out.decode()
    assert (tmp_path / "uploads").is_dir()


async def test_storage_setup_command_with_a_half_configured_b2_exits_2(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "storage-setup",
        cwd=ROOT,
        env={**os.environ, "DATA_DIR": str(tmp_path), "B2_KEY_ID": "only-this"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    assert "configuration error: B2 storage needs" in err.decode()


async def test_storage_setup_applies_the_rules_to_the_b2_bucket(simulated, tmp_path, monkeypatch):
    storage, _ = simulated
    settings = settings_from(tmp_path, **B2_ENV, UPLOAD_CORS_ORIGINS="https://rizeos.example")
    # The command builds its store from the settings; here that store talks to the simulator.
    monkeypatch.setattr(storage_setup_module, "create_storage", lambda _: storage)
    said: list[str] = []
    await storage_setup_module.storage_setup(settings, said.append)
    bucket = storage.api.get_bucket_by_name(BUCKET)
    assert bucket.type_ == "allPrivate"
    assert bucket.cors_rules == cors_rules(("https://rizeos.example",))
    assert bucket.lifecycle_rules == LIFECYCLE_RULES
    assert said[0] == f"B2 bucket {BUCKET!r} updated:"
