"""Conditional requests for clinic pages, from the validators stored in the `pages` table.

A re-crawl asks each server "changed since?" (If-None-Match / If-Modified-Since). A 304 answer reaches the
spider flagged ``not_modified`` with the links stored from the page's last parse in ``meta["stored_links"]``
(or, for a page stored before links were kept, its stored body), so the spider still follows the page's
links while nothing is parsed or rewritten. Only requests marked ``meta["conditional"]`` are
touched, so directory API calls always fetch fresh, and a 5xx is never answered from storage.

A page its sitemap says has not changed since the server last answered for it (``<lastmod>`` older than the
stored ``verified_at``) is not asked for at all (``crawlers.page_store``): the spider decides so for
the pages it claims and makes no request for them; a request made otherwise (the home page) reaches the spider flagged
``not_modified`` and ``not_requested``, as a 304 would. Sitemaps can be wrong, so this trust lasts
``CLINIC_SITE_SITEMAP_TRUST_DAYS`` from the last answer; after that the page is asked again, conditionally.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from scrapy.http import HtmlResponse

from crawlers.page_store import DatabasePages, SnapshotPages


class ConditionalRequestMiddleware:
    def __init__(self, stored: Callable[[str | None], DatabasePages | SnapshotPages], sitemap_trust_days: float = 0):
        self.stored = stored  # a site -> what was stored of its pages (crawlers/page_store.py)
        self.sitemap_trust = timedelta(days=sitemap_trust_days)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(lambda site: crawler.spider.stored(site), crawler.settings.getfloat("CLINIC_SITE_SITEMAP_TRUST_DAYS"))

    def _stored(self, request):
        return self.stored(request.meta.get("site"))

    def process_request(self, request):
        if not request.meta.get("conditional") or "If-None-Match" in request.headers:
            return None
        # a redirect's target is another page than the one the sitemap dated
        if request.meta.get("sitemap_lastmod") and self.sitemap_trust and not request.meta.get("redirect_urls"):
            unchanged = self._unchanged_by_sitemap(request)
            if unchanged is not None:
                return unchanged
        validators = self._stored(request).validators(request.url)
        if validators.get("etag"):
            request.headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            request.headers["If-Modified-Since"] = validators["last_modified"]
        return None

    def _unchanged_by_sitemap(self, request) -> HtmlResponse | None:
        """The stored page, without a request, when its sitemap vouches that it has not changed."""
        links = self._stored(request).vouched_links(request.url, request.meta["sitemap_lastmod"], self.sitemap_trust)
        if links is None:
            return None
        request.meta["stored_links"] = links
        return HtmlResponse(url=request.url, status=200, body=b"", encoding="utf-8", request=request,
                            flags=["not_modified", "not_requested"])

    def process_response(self, request, response):
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        links, body = self._stored(request).not_modified(request.url)
        if links is not None:
            request.meta["stored_links"] = links
            return HtmlResponse(url=request.url, status=200, headers=response.headers, body=b"", encoding="utf-8",
                                request=request, flags=[*response.flags, "not_modified"])
        if body is None:  # we sent no validators we could honour: ask again without them
            return request.replace(headers={k: v for k, v in request.headers.items()
                                            if k not in (b"If-None-Match", b"If-Modified-Since")},
                                   meta={**request.meta, "conditional": False}, dont_filter=True)
        return HtmlResponse(url=request.url, status=200, headers=response.headers, body=body, encoding="utf-8",
                            request=request, flags=[*response.flags, "not_modified"])
