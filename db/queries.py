"""Read-only questions the crawl and the rebuilds ask the database (which websites to visit, which regions it holds)."""

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


def regions_held(db: sqlite_utils.Database) -> list[str]:
    """Every region name the database's clinics or listings were filed under, the most recently crawled last.

    Not ``crawl_runs``: a run's label may join several regions ("A; B" for a decision touching two) and names
    regions whose crawl found nothing. Rebuilt in this order, a clinic in two overlapping regions keeps the
    region of the latest crawl, as it had.
    """
    rows = db.query("""
        select held.region from (select region from clinics where region is not null
                                 union select region from sources where region is not null) as held
        order by coalesce((select max(run.id) from crawl_runs as run where run.region = held.region), 0), held.region""")
    return [row["region"] for row in rows]
