"""Read-only questions the crawl asks the database (which websites to visit)."""

from __future__ import annotations

import sqlite_utils


def candidate_websites(db: sqlite_utils.Database) -> list[str]:
    """Websites of listings not ruled out, plus those of clinics already known (so a re-crawl re-checks them)."""
    rows = db.query("""
        select website from sources where website is not null and decision != 'dropped'
        union select website from clinics where website is not null""")
    return sorted({r["website"] for r in rows})
