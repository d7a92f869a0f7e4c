"""Read-only questions the crawl asks the database (which websites to visit)."""

from __future__ import annotations

import sqlite_utils

from parsers.urls import website_url


def candidate_websites(db: sqlite_utils.Database, region) -> list[str]:
    """Websites to visit for a region: its listings not ruled out (in its ZIPs, or in its seed list) and its
    known clinics (so a re-crawl re-checks them even when no source lists them this run)."""
    zips = set(region.zips)
    rows = db.query("""
        select website, zip, region from sources where website is not null and decision != 'dropped'
        union all select website, zip, region from clinics where website is not null and status != 'merged'""")
    wanted = {r["website"] for r in rows if (r["zip"] or "")[:5] in zips or r["region"] == region.name}
    return sorted(w for w in wanted if website_url(w))  # a bad value stored before websites were checked is skipped
