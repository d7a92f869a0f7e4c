"""When a sitemap's <lastmod> may stand in for asking the server: the dates read the way that errs toward asking.

A sitemap date is the site's word, in the site's own time zone when it gives none. So a date or time without
an offset is taken as the latest instant it can mean anywhere (UTC-12), a date that is not a W3C datetime
proves nothing, and the word is trusted only for a while after the server itself last answered.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

W3C_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
LATEST_ZONE = timedelta(hours=12)  # UTC-12: where a given wall-clock time happens last


def unchanged_since(lastmod: str, verified_at: str | None, trust: timedelta, now: datetime | None = None) -> bool:
    """Whether ``lastmod`` says the page is as it was when the server last answered for it (``verified_at``),
    and that answer is recent enough (``trust``) to lean on."""
    answered, changed = _stored_instant(verified_at), lastmod_instant(lastmod)
    now = now or datetime.now(UTC)
    if answered is None or changed is None or changed > now + LATEST_ZONE:
        return False  # never answered, an unreadable date, or one in the future: ask
    return changed < answered and now - answered < trust


def lastmod_instant(text: str | None) -> datetime | None:
    """The latest UTC instant a sitemap <lastmod> can mean, or None when it is not a W3C datetime."""
    text = (text or "").strip()
    if not W3C_DATETIME.fullmatch(text):
        return None
    try:
        if len(text) == 10:  # a date alone: the page may have changed at any time that day
            moment = datetime.fromisoformat(text) + timedelta(days=1) - timedelta(microseconds=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) + LATEST_ZONE
    return moment.astimezone(UTC)


def newer_lastmod(one: str | None, other: str | None) -> str | None:
    """Of two dates sitemaps give one page, the later (the one that errs toward asking)."""
    first, second = lastmod_instant(one), lastmod_instant(other)
    if first is None or second is None:
        return one if first is not None else other if second is not None else None
    return one if first >= second else other


def _stored_instant(text: str | None) -> datetime | None:
    """Our own timestamps ("2026-11-22T21:13:33Z", or SQLite's "2026-11-22 21:13:33", both UTC) as aware datetimes."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
