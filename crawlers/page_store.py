"""What a re-crawl needs to know of the pages it stored last time, from the database or from a site's snapshot.

A crawl in one process reads the database (``DatabasePages``). A worker on another machine has no database: the
coordinator hands it each site with a snapshot of that site's stored pages (``snapshot``), and the worker asks
the snapshot (``SnapshotPages``) the same questions: the validators to send, whether a sitemap vouches for a
page, what a 304 stands for. Bodies are not in a snapshot: a page stored without its links is asked for in full.
"""

from __future__ import annotations

import json
from datetime import timedelta

from crawlers.freshness import unchanged_since
from db.store import page_validators, stored_body

SNAPSHOT_COLUMNS = "url, etag, last_modified, content_hash, verified_at, links, status, error"


class DatabasePages:
    def __init__(self, db) -> None:
        self.db = db

    def validators(self, url: str) -> dict:
        """ETag, Last-Modified and content hash."""
        return page_validators(self.db, url)

    def vouched_links(self, url: str, lastmod: str, trust: timedelta) -> list[str] | None:
        """The stored links of a page its sitemap vouches has not changed (crawlers/freshness.py); None: ask."""
        rows = list(self.db.query("select verified_at, links from pages where url = ? and error is null and "
                                  "status in (200, 304)", [url]))
        if not rows or rows[0]["links"] is None or not unchanged_since(lastmod, rows[0]["verified_at"], trust):
            return None
        return json.loads(rows[0]["links"])

    def not_modified(self, url: str) -> tuple[list[str] | None, bytes | None]:
        """What a 304 stands for: the stored links, else the stored body; (None, None) when neither is kept."""
        rows = list(self.db.query("select links, body from pages where url = ?", [url]))
        if not rows:
            return None, None
        if rows[0]["links"] is not None:
            return json.loads(rows[0]["links"]), None
        return None, stored_body(rows[0])


class SnapshotPages:
    """A site's stored pages as the coordinator sent them (``snapshot``)."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = {row["url"]: row for row in rows}

    def validators(self, url: str) -> dict:
        row = self.rows.get(url)
        if row is None or row.get("links") is None:  # no links kept: a 304 could not be read, so none is asked for
            return {"content_hash": row.get("content_hash")} if row else {}
        return {k: row.get(k) for k in ("etag", "last_modified", "content_hash")}

    def vouched_links(self, url: str, lastmod: str, trust: timedelta) -> list[str] | None:
        row = self.rows.get(url)
        if row is None or row.get("links") is None or row.get("error") is not None or row.get("status") not in (200, 304) \
                or not unchanged_since(lastmod, row.get("verified_at"), trust):
            return None
        return json.loads(row["links"])

    def not_modified(self, url: str) -> tuple[list[str] | None, bytes | None]:
        row = self.rows.get(url)
        return (json.loads(row["links"]) if row and row.get("links") is not None else None), None


def snapshot(db, site: str) -> list[dict]:
    """The stored pages of one site, as a worker needs them (no bodies, no facts)."""
    return [dict(row) for row in db.query(f"select {SNAPSHOT_COLUMNS} from pages where site = ?", [site])]
