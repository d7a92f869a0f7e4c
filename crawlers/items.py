"""What spiders hand on: a listing from a directory source, or a fetched page. Plain dataclasses (itemadapter)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ListingItem:
    """One record a source gave, in the shape of the `sources` table, with the raw record kept."""

    source: str
    source_id: str
    name: str | None
    decision: str  # candidate or dropped
    reason: str | None = None
    phone: str | None = None
    street: str | None = None
    suite: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = None
    category: str | None = None
    npi: str | None = None  # an NPI the source gives for it (several locations may share one)
    legal_name: str | None = None
    source_url: str | None = None
    published_at: str | None = None
    fetched_at: str | None = None
    raw: dict | None = field(default=None, repr=False)


@dataclass
class PageItem:
    """A clinic website page as fetched: body and validators, or the failure that stopped it."""

    url: str
    site: str
    status: int | None
    fetched_at: str
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    links: list[str] | None = None  # the same-site links worth following, kept so a 304 needs no parse
    requested: bool = True  # False: not asked for, its sitemap lastmod vouched it unchanged


@dataclass
class VouchedPagesItem:
    """Pages of a site its sitemap vouched for as unchanged, not requested: each keeps what it had, confirmed."""

    site: str
    urls: list[str]
    seen_at: str
