"""The B2 backend on b2sdk's own in-process simulator of the B2 service."""

from __future__ import annotations

import pytest
from b2sdk.v2 import B2Api, B2HttpApiConfig, InMemoryAccountInfo, RawSimulator

from server.storage.b2 import B2Storage
from server.storage.sigv4 import S3Presigner

BUCKET = "rizeos-test"


@pytest.fixture
def simulated():
    """A B2 account and private bucket inside b2sdk's simulator, and our backend on it."""
    api = B2Api(InMemoryAccountInfo(), api_config=B2HttpApiConfig(_raw_api_class=RawSimulator))
    simulator = api.session.raw_api
    account_id, master_key = simulator.create_account()
    api.authorize_account("production", account_id, master_key)
    bucket = api.create_bucket(BUCKET, "allPublic")
    presigner = S3Presigner("https://s3.us-west-004.example", "us-west-004", account_id, "secret")
    storage = B2Storage(
        B2Api(InMemoryAccountInfo(), api_config=B2HttpApiConfig(_raw_api_class=RawSimulator)),
        BUCKET,
        presigner,
        credentials=(account_id, master_key),
    )
    # Both B2Api objects must talk to the same simulated service.
    storage.api.session.raw_api = simulator
    return storage, bucket
