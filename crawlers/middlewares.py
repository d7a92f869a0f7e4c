"""Conditional requests for clinic pages, from the validators stored in the `pages` table.

A re-crawl asks each server "changed since?" (If-None-Match / If-Modified-Since); a 304 answer is passed
to the spider as a 304, which stores nothing new and parses nothing. Only requests marked
``meta["conditional"]`` are touched, so directory API calls always fetch fresh.
"""

from __future__ import annotations

from db.schema import open_db
from db.store import page_validators


class ConditionalRequestMiddleware:
    def __init__(self, db_path: str):
        self.db_path = db_path
        self._db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("DB_PATH"))

    @property
    def db(self):
        if self._db is None:
            self._db = open_db(self.db_path)
        return self._db

    def process_request(self, request):
        if not request.meta.get("conditional") or "If-None-Match" in request.headers:
            return None
        validators = page_validators(self.db, request.url)
        if validators.get("etag"):
            request.headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            request.headers["If-Modified-Since"] = validators["last_modified"]
        return None
