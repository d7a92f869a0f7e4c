"""A website's root and host, the forms identity compares ("www." and the scheme do not make a new site)."""

from __future__ import annotations

from urllib.parse import urlparse


def site_root(url: str) -> str:
    """The home page of the site a URL is on: "https://x.example/about/" -> "https://x.example/"."""
    parsed = urlparse(url if "//" in url else f"https://{url}")
    return f"{parsed.scheme}://{parsed.netloc}/"


def host_of(url: str | None) -> str | None:
    """The host (with a port when one is given), lower case and without "www."; None for no URL."""
    if not url:
        return None
    parsed = urlparse(url if "//" in url else f"http://{url}")
    host = (parsed.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parsed.port}" if parsed.port else host or None
