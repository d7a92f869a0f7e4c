"""A website's root and host, the forms identity compares ("www." and the scheme do not make a new site), and
the check a website passes where it enters (a listing, a seed list, a correction).

Listings carry what third parties typed: "tel:+1714...", "hhtp://", "http://x:80a/", a port of 99999. Such a
value is no website: ``website_url`` says None, and nothing downstream ever parses it.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

NOT_WEB = re.compile(r"^(?:tel|mailto|sms|fax|javascript|data|file|ftp|about|blob|vbscript):", re.I)
HOSTNAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}\.?|\d{1,3}(?:\.\d{1,3}){3}|"
                      r"[0-9a-f:.]+|localhost", re.I)  # a dotted name, an IPv4 or (bracketed in URLs) IPv6 address


def website_url(raw: str | None) -> str | None:
    """The website as an http(s) URL ("clinic.example/about" -> "https://clinic.example/about"), or None when the
    value is no website (another scheme, a mistyped one, no valid host, a port that is not a port)."""
    text = (raw or "").strip()
    if not text or NOT_WEB.match(text) or any(c.isspace() for c in text):
        return None
    if "://" not in text:
        text = f"https://{text}"
    try:
        parsed = urlparse(text)
        parsed.port  # noqa: B018 - raises ValueError for "80a" or 99999
    except ValueError:
        return None
    if parsed.scheme.lower() not in ("http", "https") or not parsed.hostname or not HOSTNAME.fullmatch(parsed.hostname):
        return None
    return text


def site_root(url: str) -> str | None:
    """The home page of the site a URL is on: "https://x.example/about/" -> "https://x.example/"; None for a value
    that is no website (see ``website_url``)."""
    checked = website_url(url)
    if checked is None:
        return None
    parsed = urlparse(checked)
    return f"{parsed.scheme}://{parsed.netloc}/"


def host_of(url: str | None) -> str | None:
    """The host (with a port when one is given), lower case and without "www."; None for no URL or no website."""
    checked = website_url(url)
    if checked is None:
        return None
    parsed = urlparse(checked)
    host = (parsed.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parsed.port}" if parsed.port else host or None
