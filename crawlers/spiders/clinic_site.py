"""Each listed clinic's own website: the home page and a bounded number of relevant pages on the same host.

Pages are chosen by link text and path (services, conditions, pricing, insurance, FAQ, locations). The
spider only fetches and hands pages on; the pipeline parses them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlparse

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.items import ListingItem, PageItem
from crawlers.safety import refusal
from db.queries import candidate_websites
from db.schema import open_db
from db.store import now_iso

RELEVANT = re.compile(
    r"servic|treat|therap|ketamine|spravato|esketamine|infusion|injection|condition|pric|cost|fee|insurance|"
    r"payment|financ|faq|question|location|contact|about|kap|program|depress|ptsd|anxiety|pain|what-we|"
    r"new-patient|getting-started|how-it-works|our-", re.I)
SKIP = re.compile(r"\.(?:pdf|jpe?g|png|gif|svg|webp|mp4|zip|docx?|css|js|ico)$|/wp-(?:admin|login)|/cart|/login|"
                  r"/tag/|/category/|/author/|/feed/?$|/page/\d+", re.I)


def site_root(url: str) -> str:
    parsed = urlparse(url if "//" in url else f"https://{url}")
    return f"{parsed.scheme}://{parsed.netloc}/"


class ClinicSiteSpider(scrapy.Spider):
    name = "clinic_site"

    def __init__(self, sites: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.only_sites = [s for s in (sites or "").split(",") if s]
        self.pages_per_site: Counter[str] = Counter()

    async def start(self):
        self.seed_listings: list[ListingItem] = []
        websites = self.only_sites or await self._websites()
        for listing in self.seed_listings:
            yield listing
        allow_loopback = self.settings.getbool("ALLOW_LOOPBACK_SITES")
        for root in sorted({site_root(w) for w in websites}):
            why = refusal(root, allow_loopback)
            if why:
                self.logger.warning("not fetching %s: %s", root, why)
                self.crawler.stats.inc_value("sites/refused_non_public_address")
                continue
            self.pages_per_site[root] += 1
            yield self._request(root, root, depth=0)

    async def _websites(self) -> list[str]:
        db = open_db(self.settings.get("DB_PATH"))
        websites = candidate_websites(db)
        db.close()
        seed_list = self.settings.get("SEED_LIST")
        if seed_list:
            seeds = await self._read_seed_list(seed_list)
            websites += seeds
            self.seed_listings = [ListingItem(source="seed_list", source_id=site_root(url), name=None,
                                              decision="candidate", reason="in the region's seed list",
                                              website=site_root(url), source_url=seed_list, fetched_at=now_iso())
                                  for url in seeds]
        self.crawler.stats.set_value("sites/listed", len({site_root(w) for w in websites}))
        return websites

    async def _read_seed_list(self, location: str) -> list[str]:
        """The region's seed list (a file, or a URL); a list that cannot be read is a failed source, not empty."""
        try:
            if location.startswith(("http://", "https://")):
                response = await self.crawler.engine.download_async(scrapy.Request(location, dont_filter=True))
                if response.status != 200:
                    raise OSError(f"HTTP {response.status}")
                text = response.text
            else:
                text = Path(location).read_text(encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - any failure to read it is reported the same way
            self.logger.error("seed list %s could not be read: %s", location, error)
            self.crawler.stats.inc_value("source/seed_list/failed_queries")
            return []
        self.crawler.stats.inc_value("source/seed_list/ok_queries")
        return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]

    def _request(self, url: str, site: str, depth: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              cb_kwargs={"site": site, "depth": depth},
                              meta={"conditional": True, "handle_httpstatus_list": [304], "site": site})

    def parse(self, response, site: str, depth: int):
        headers = response.headers
        not_modified = "not_modified" in response.flags
        yield PageItem(url=response.url, site=site, status=304 if not_modified else response.status,
                       fetched_at=now_iso(), body=b"" if not_modified else response.body,
                       etag=_header(headers, b"ETag"), last_modified=_header(headers, b"Last-Modified"))
        if response.status != 200 or depth >= self.settings.getint("CLINIC_SITE_MAX_DEPTH"):
            return
        if not hasattr(response, "css"):
            return
        for link in self._relevant_links(response, site):
            if self.pages_per_site[site] >= self.settings.getint("CLINIC_SITE_MAX_PAGES"):
                self.crawler.stats.inc_value("sites/page_budget_reached")
                break
            self.pages_per_site[site] += 1
            yield self._request(link, site, depth + 1)

    def _relevant_links(self, response, site: str) -> list[str]:
        host = urlparse(site).netloc
        links: dict[str, None] = {}
        for anchor in response.css("a[href]"):
            href = urljoin(response.url, anchor.attrib["href"]).split("#")[0]
            parsed = urlparse(href)
            if parsed.scheme not in ("http", "https") or parsed.netloc != host or parsed.query or SKIP.search(href):
                continue
            text = " ".join(anchor.css("::text").getall())
            if RELEVANT.search(parsed.path) or RELEVANT.search(text):
                links.setdefault(href)
        return list(links)

    def failed(self, failure):
        request = failure.request
        site = request.meta.get("site") or site_root(request.url)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.crawler.stats.inc_value("pages/refused_by_robots_or_filter")
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        self.logger.warning("fetch failed: %s (%s)", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"pages/errors/{status or type(failure.value).__name__}")
        yield PageItem(url=request.url, site=site, status=status, fetched_at=now_iso(),
                       error=failure.getErrorMessage()[:300])


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
