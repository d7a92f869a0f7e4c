"""Values as a person reads them: a phone number as it is dialled, a time as "3 days ago"."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def phone_words(phone: str | None) -> str | None:
    if phone and len(phone) == 12 and phone.startswith("+1"):
        return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    return phone


def ago(stamp: str | None, now: datetime | None = None) -> str:
    """ "today", "3 days ago", "2 months ago" for an ISO time; "never" for none."""
    if not stamp:
        return "never"
    try:
        then = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    days = ((now or datetime.now(UTC)) - (then if then.tzinfo else then.replace(tzinfo=UTC))).days
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    return f"{days // 30} months ago"


def day_words(stamp: str | None) -> str | None:
    """ "4 Dec 2026" for an ISO date or time: a price's "as of" reads as a day, not a timestamp."""
    try:
        return datetime.fromisoformat(str(stamp)[:10]).strftime("%-d %b %Y") if stamp else None
    except ValueError:
        return stamp


def region_slug(region: str) -> str:
    """ "Orange County, CA" -> "orange-county-ca": a region's name in a URL without %20 and %2C."""
    return re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")
