"""The address guard: no request leaves for anything but a public http(s) address (server-side request forgery).

Listings' websites, their redirects, their links, robots.txt and sitemaps all come from third parties; a
crawler that fetched whatever it was given could be turned on the machine it runs on (a cloud's metadata
service, the local network, our own Datasette). ``AddressGuardMiddleware`` is a downloader middleware, so it
sees every request Scrapy makes, redirect hops and robots.txt included: each host is resolved and every
address it resolves to must be globally routable. Addresses that carry an IPv4 address inside an IPv6 one
(mapped, compatible, 6to4, Teredo, NAT64) are judged by the IPv4 address they carry. A name that does not
resolve is refused too, rather than left for the downloader to resolve differently. The sample-web profile
allows loopback, and only loopback, because that is where the sample web lives (``ALLOW_LOOPBACK_SITES``).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from urllib.parse import urlparse

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Special-purpose blocks that Python's ``is_global`` still counts as global on some versions.
NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "fc00::/7", "fe80::/10", "ff00::/8"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
COMPATIBLE = ipaddress.ip_network("::/96")  # the deprecated IPv4-compatible form, ::127.0.0.1


def carried_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one."""
    if address.version == 4:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]  # the client's address
    if address in NAT64 or (address in COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: Address, allow_loopback: bool = False) -> str | None:
    """Why a connection to this address must not be made, or None when it may."""
    inner = carried_ipv4(address)
    if inner is not None:
        why = address_refusal(inner, allow_loopback)
        return f"{address} carries {inner}: {why}" if why else None
    if address.is_loopback:
        return None if allow_loopback else f"loopback address {address}"
    if not address.is_global or address.is_multicast or any(address in net for net in NOT_PUBLIC
                                                            if net.version == address.version):
        return f"non-public address {address}"
    return None


def refusal(url: str, allow_loopback: bool = False,
            resolve: Callable[[str], set[str]] | None = None) -> str | None:
    """Why this URL must not be fetched, or None when it may be."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or 'missing'}: only http and https are fetched"
    host = parts.hostname
    if not host:
        return "no host"
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(a.split("%")[0]) for a in (resolve or _resolve)(host)}
        except (OSError, UnicodeError, ValueError) as error:
            return f"{host} does not resolve ({error})"
        if not addresses:
            return f"{host} does not resolve"
    for address in sorted(addresses, key=str):
        why = address_refusal(address, allow_loopback)
        if why:
            return f"{host}: {why}" if str(address) != host else why
    return None


def _resolve(host: str) -> set[str]:
    return {info[4][0] for info in socket.getaddrinfo(host, None)}


class AddressGuardMiddleware:
    """Refuses, before it is sent, every request whose host is not public (see the module's docstring).

    A refused request fails with IgnoreRequest (its errback is called, nothing is stored) and is counted as
    ``address_guard/refused``. A host's verdict is kept for the crawl: hosts are few, requests many.
    """

    def __init__(self, allow_loopback: bool, stats=None, resolve: Callable[[str], set[str]] | None = None):
        self.allow_loopback = allow_loopback
        self.stats = stats
        self.resolve = resolve
        self.verdicts: dict[tuple[str, str | None], str | None] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getbool("ALLOW_LOOPBACK_SITES"), crawler.stats)

    def process_request(self, request, spider=None):
        parts = urlparse(request.url)
        key = (parts.scheme, parts.hostname)
        if key not in self.verdicts:
            self.verdicts[key] = refusal(request.url, self.allow_loopback, self.resolve)
        why = self.verdicts[key]
        if why is None:
            return None
        first = (request.meta.get("redirect_urls") or [None])[0]
        logger.warning("refused %s%s: %s", request.url, f" (redirected from {first})" if first else "", why)
        if self.stats is not None:
            self.stats.inc_value("address_guard/refused")
        raise IgnoreRequest(f"address guard: {why}")
