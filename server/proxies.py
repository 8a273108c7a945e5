"""The client's IP address behind a load balancer (docs/deploy.md, "Client addresses").

``request.remote`` is the peer of the TCP connection: behind a balancer that is the
balancer, and every client would share one rate-limit bucket. The balancer says whom it
serves in ``X-Forwarded-For``, appending the address it saw to whatever the client sent; so
the header can be believed only from a peer we trust (``TRUSTED_PROXIES``), and only from
its right-hand end: walking from the right past our own proxies, the first address that is
not one of them is the client. Anything to its left was written by the client and is
ignored. From an untrusted peer (or with no proxies trusted: the default) the header is
ignored altogether.

Not aiohttp-remotes' ``XForwardedStrict``: it answers 400 to any peer outside the trusted
list (a health check or a direct call on a private address) and to a header with more or
fewer hops than configured, which a client's own ``X-Forwarded-For`` makes; and it rewrites
the request's scheme and host as well, which nothing here needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import hdrs, web

from server import keys

Network = IPv4Network | IPv6Network


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    # Some balancers append the client's port ("203.0.113.9:51234"), with an IPv6 address in
    # brackets ("[2001:db8::5]:443"); the port says nothing about who the client is.
    if text.startswith("["):
        text, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port[:1] == ":" and port[1:].isdigit())):
            return None
    elif text.count(":") == 1:
        text, _, port = text.partition(":")
        if not port.isdigit():
            return None
    try:
        address = ip_address(text)
    except ValueError:
        return None
    # An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d.
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPv4Address | IPv6Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def forwarded_client(
    peer: str | None, forwarded_for: Iterable[str], proxies: tuple[Network, ...]
) -> str | None:
    """The client's address: ``peer`` unless it is a trusted proxy, in which case the
    right-most address of ``forwarded_for`` (every X-Forwarded-For line, in order) that is
    not one. An entry that is not an address ends the walk at the last trusted hop (whose
    address is then the answer): what is left of it was not written by a proxy of ours,
    and a made-up value must never become a bucket of its own."""
    if not proxies or peer is None:
        return peer
    current = _address(peer)
    if current is None or not _trusted(current, proxies):
        return peer
    hops = [hop for line in forwarded_for for hop in line.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(current, proxies):
            break
    # Every hop trusted (the client is on a proxy's network): the left-most one seen.
    return str(current)


def client_ip(request: web.Request) -> str | None:
    """The address of the client this request is for (None on a Unix socket): what every
    per-address limit keys on."""
    proxies = request.app[keys.SETTINGS].trusted_proxies
    forwarded_for = request.headers.getall(hdrs.X_FORWARDED_FOR, ())
    return forwarded_client(request.remote, forwarded_for, proxies)
