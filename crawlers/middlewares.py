"""Conditional requests for clinic pages, from the validators stored in the `pages` table.

A re-crawl asks each server "changed since?" (If-None-Match / If-Modified-Since). A 304 answer reaches the
spider flagged ``not_modified`` with the links stored from the page's last parse in ``meta["stored_links"]``
(or, for a page stored before links were kept, its stored body), so the spider still follows the page's
links while nothing is parsed or rewritten. Only requests marked ``meta["conditional"]`` are
touched, so directory API calls always fetch fresh, and a 5xx is never answered from storage.
"""

from __future__ import annotations

import json

from scrapy.http import HtmlResponse

from db.schema import open_db
from db.store import page_validators, stored_body


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

    def process_response(self, request, response):
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        rows = list(self.db.query("select links, body is not null as has_body from pages where url = ?",
                                  [request.url]))
        if rows and rows[0]["links"] is not None:
            request.meta["stored_links"] = json.loads(rows[0]["links"])
            return HtmlResponse(url=request.url, status=200, headers=response.headers, body=b"", encoding="utf-8",
                                request=request, flags=[*response.flags, "not_modified"])
        body = stored_body(next(iter(self.db.query("select body from pages where url = ?", [request.url])))) \
            if rows and rows[0]["has_body"] else None
        if body is None:  # we sent no validators we could honour: ask again without them
            return request.replace(headers={k: v for k, v in request.headers.items()
                                            if k not in (b"If-None-Match", b"If-Modified-Since")},
                                   meta={**request.meta, "conditional": False}, dont_filter=True)
        return HtmlResponse(url=request.url, status=200, headers=response.headers, body=body, encoding="utf-8",
                            request=request, flags=[*response.flags, "not_modified"])
