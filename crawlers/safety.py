"""Refuse clinic websites that point inside our own network (SSRF): private, loopback, link-local, reserved.

A listing's website comes from third parties; a crawler that fetched whatever it was given could be
turned on the machine it runs on. The sample-web profile allows loopback (and only loopback), because that
is where the sample web lives.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse


def refusal(url: str, allow_loopback: bool = False) -> str | None:
    """Why this URL must not be fetched, or None when it may be."""
    host = urlparse(url).hostname
    if not host:
        return "no host"
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except (socket.gaierror, UnicodeError):
            return None  # unresolvable now: the fetch itself will fail and be counted
    for address in addresses:
        if address.is_loopback:
            if not allow_loopback:
                return f"{host} resolves to loopback {address}"
        elif address.is_private or address.is_link_local or address.is_reserved or address.is_multicast \
                or address.is_unspecified:
            return f"{host} resolves to a non-public address {address}"
    return None
