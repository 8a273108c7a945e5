"""The client's address behind a load balancer (server/proxies.py): X-Forwarded-For is
believed only from a trusted proxy, and only from its right-hand end; the per-address
sign-in limit keys on it."""

from __future__ import annotations

import dataclasses
from ipaddress import ip_network

import pytest

from server.config import ConfigError, Settings, load_settings
from server.proxies import forwarded_client

BALANCERS = (ip_network("10.0.0.0/24"), ip_network("2001:db8::/64"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # Straight from the internet: whatever the client claims is ignored.
        ("198.51.100.7", ["203.0.113.9"], "198.51.100.7"),
        # Through the balancer: the address it saw.
        ("10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        # A client's own header is to the left of what the balancer appended.
        ("10.0.0.2", ["1.2.3.4, 203.0.113.9"], "203.0.113.9"),
        ("10.0.0.2", ["1.2.3.4", "203.0.113.9"], "203.0.113.9"),  # one line per hop
        # Two proxies of ours (a CDN node in the trusted range, then the balancer).
        ("10.0.0.2", ["1.2.3.4, 203.0.113.9, 10.0.0.77"], "203.0.113.9"),
        # No header from the balancer (its own health check): the balancer.
        ("10.0.0.2", [], "10.0.0.2"),
        # A made-up entry never becomes an address of its own: the last trusted hop's.
        ("10.0.0.2", ["203.0.113.9, not-an-address"], "10.0.0.2"),
        ("10.0.0.2", ["not-an-address, 10.0.0.9"], "10.0.0.9"),
        # IPv6, and an IPv4 peer seen through a dual-stack listener.
        ("2001:db8::1", ["2001:db8:1::5"], "2001:db8:1::5"),
        ("::ffff:10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        # A Unix socket has no peer address.
        (None, ["203.0.113.9"], None),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(
    peer, forwarded_for, client
):
    assert forwarded_client(peer, forwarded_for, BALANCERS) == client


def test_with_no_trusted_proxies_the_header_is_never_read():
    assert forwarded_client("10.0.0.2", ["203.0.113.9"], ()) == "10.0.0.2"


def test_trusted_proxies_are_read_from_the_environment():
    env = {"TRUSTED_PROXIES": " 10.0.0.0/24, 192.0.2.7 ,2001:db8::/64"}
    assert load_settings(env).trusted_proxies == (
        ip_network("10.0.0.0/24"),
        ip_network("192.0.2.7/32"),
        ip_network("2001:db8::/64"),
    )
    assert load_settings({}).trusted_proxies == ()
    for bad in ("10.0.0.1/24", "balancer.internal", "10.0.0.0/33"):
        with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
            load_settings({"TRUSTED_PROXIES": bad})


def limited(settings: Settings, *proxies: str) -> Settings:
    return dataclasses.replace(
        settings,
        password_ip_burst=2,
        password_ip_per_minute=0.1,
        trusted_proxies=tuple(ip_network(p) for p in proxies),
    )


async def log_in(client, forwarded_for: str) -> int:
    response = await client.post(
        "/api/auth/login",
        json={"email": "nobody@example.com", "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status


@pytest.fixture
def app_client(aiohttp_client):
    from server.app import create_app

    async def start(settings: Settings):
        return await aiohttp_client(create_app(settings))

    return start


async def test_a_spoofed_forwarded_header_from_an_untrusted_peer_is_ignored(settings, app_client):
    client = await app_client(limited(settings))  # the test client's peer: 127.0.0.1
    statuses = [await log_in(client, f"203.0.113.{n}") for n in range(3)]
    # One bucket (the peer's), whatever addresses the header makes up.
    assert statuses == [401, 401, 429]


async def test_a_trusted_balancers_header_gives_each_client_its_bucket(settings, app_client):
    client = await app_client(limited(settings, "127.0.0.1"))
    assert [await log_in(client, "203.0.113.1") for _ in range(3)] == [401, 401, 429]
    # Another client behind the same balancer has a bucket of its own...
    assert await log_in(client, "203.0.113.2") == 401
    # ...and the first cannot escape its own by prepending a made-up address.
    assert await log_in(client, "198.51.100.1, 203.0.113.1") == 429


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        # Some balancers (Azure Application Gateway, for one) append the client's port; an
        # IPv6 address then comes in brackets. The address is the client, not the balancer.
        (["203.0.113.9:51234"], "203.0.113.9"),
        (["[2001:db8:1::5]:443"], "2001:db8:1::5"),
        (["[2001:db8:1::5]"], "2001:db8:1::5"),
        (["1.2.3.4, 203.0.113.9:51234"], "203.0.113.9"),
        # Not an address with a port: still a made-up entry, the walk ends at the balancer.
        (["203.0.113.9:port"], "10.0.0.2"),
        (["[203.0.113.9]:1:2"], "10.0.0.2"),
        (["2001:db8:1::5:443"], "2001:db8:1::5:443"),  # a bare IPv6 address has no port
    ],
)
def test_a_port_after_the_address_is_not_taken_for_a_made_up_entry(forwarded_for, client):
    assert forwarded_client("10.0.0.2", forwarded_for, BALANCERS) == client
