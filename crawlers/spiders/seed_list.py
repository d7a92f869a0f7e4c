"""The region's seed list: a plain file (or URL) of clinic websites that users edit, for clinics no source lists.

The ``SEED_LIST`` setting names it, with ``{region}`` replaced by the region's slug; a relative path is read
from the working directory, else from the project's ``seeds/`` directory. A region with no file has no seed
list (not an error, nor is a 404 for a URL); a list that exists but cannot be read is a failed source, never
"no clinics".
"""

from __future__ import annotations

from pathlib import Path

import scrapy

from crawlers.items import ListingItem
from crawlers.spiders.region import RegionSpider
from db.store import now_iso
from parsers.urls import site_root

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SeedListSpider(RegionSpider):
    name = "seed_list"
    source_order = 40

    async def start(self):
        self.resolve_region()
        template = self.settings.get("SEED_LIST") or ""
        for location in dict.fromkeys(template.replace("{region}", slug) for slug in self.region.slugs):
            if location:
                for item in self._read(location):
                    yield item

    def _read(self, location: str):
        if location.startswith(("http://", "https://")):
            yield scrapy.Request(location, callback=self.parse, errback=self.failed, dont_filter=True,
                                 meta={"handle_httpstatus_list": [404]})
            return
        path = _find(location)
        if path is None:
            self.logger.info("no seed list for %s (looked for %s)", self.region.name, location)
            self.crawler.stats.set_value("source/seed_list/no_list", 1)
            return
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._failed(f"{path}: {error}")
            return
        yield from self._listings(text, str(path))

    def parse(self, response):
        if response.status == 404:
            self.logger.info("no seed list for %s at %s", self.region.name, response.url)
            self.crawler.stats.set_value("source/seed_list/no_list", 1)
            return
        if response.status != 200:
            self._failed(f"{response.url}: HTTP {response.status}")
            return
        yield from self._listings(response.text, response.url)

    def _listings(self, text: str, where: str):
        self.crawler.stats.inc_value("source/seed_list/ok_queries")
        fetched_at = now_iso()
        for line in text.splitlines():
            url = line.split("#", 1)[0].strip()
            if not url:
                continue
            root = site_root(url) if url.startswith(("http://", "https://")) else None
            if root is None:
                self.logger.warning("seed list %s: not a website, skipped: %r", where, url)
                self.crawler.stats.inc_value("source/seed_list/bad_lines")
                continue
            yield ListingItem(source="seed_list", source_id=root, name=None, decision="candidate",
                              reason="in the region's seed list", website=root, source_url=where, fetched_at=fetched_at)

    def failed(self, failure):
        self._failed(failure.getErrorMessage())

    def _failed(self, why: str) -> None:
        self.logger.error("seed list could not be read: %s", why)
        self.crawler.stats.inc_value("source/seed_list/failed_queries")


def _find(location: str) -> Path | None:
    path = Path(location).expanduser()
    for candidate in (path,) if path.is_absolute() else (path, PROJECT_ROOT / path):
        if candidate.is_file():
            return candidate
    return None
