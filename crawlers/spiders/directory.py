"""Public clinic directories, configured in ``crawlers/directories.yml``: each county's listing pages, read as
schema.org data (JSON-LD ItemList or MedicalClinic nodes, microdata as the fallback), following rel="next".

A listing page that answers but carries no clinic data is a failed fetch (the directory changed its
template, or blocks us), never "no clinics": a directory that lists nobody would not publish the page.
A county the directory has no page for (404) is counted as not covered.
"""

from __future__ import annotations

import re
from pathlib import Path

import scrapy
import yaml

from crawlers.items import ListingItem
from crawlers.spiders.region import RegionSpider
from db.store import now_iso
from parsers.directory import read_directory_page
from parsers.listings import directory_listing

CONFIG = Path(__file__).resolve().parents[1] / "directories.yml"


def load_directories(path: str | Path | None = None, base_urls: dict | None = None) -> dict[str, dict]:
    """The configured directories, with base URLs overridden (a profile points them at the sample web);
    directories without a base URL are left out."""
    config = yaml.safe_load(Path(path or CONFIG).read_text(encoding="utf-8")) or {}
    out = {}
    for name, entry in config.items():
        entry = {**entry, "base_url": (base_urls or {}).get(name) or entry.get("base_url")}
        if entry["base_url"]:
            out[name] = entry
    return out


def county_slug(county: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", county.lower()).strip("-")


class DirectorySpider(RegionSpider):
    name = "directory"
    custom_settings = {"HTTPERROR_ALLOWED_CODES": [404]}

    async def start(self):
        self.resolve_region()
        directories = load_directories(self.settings.get("DIRECTORIES_FILE"),
                                       self.settings.getdict("DIRECTORY_BASE_URLS"))
        self.crawler.stats.set_value("source/directory/configured", len(directories))
        for name, config in directories.items():
            for county in self.region.counties:
                county_name, _, state = county.rpartition(", ")
                url = config["county_url"].format(base_url=config["base_url"].rstrip("/"), state=state.lower(),
                                                  state_upper=state, county=county_slug(county_name),
                                                  county_name=county_name)
                yield self._request(url, name, config, page=1)

    def _request(self, url: str, directory: str, config: dict, page: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              cb_kwargs={"directory": directory, "config": config, "page": page})

    def parse(self, response, directory: str, config: dict, page: int):
        stats = self.crawler.stats
        if response.status == 404 and page == 1:
            self.logger.info("%s has no page for %s", directory, response.url)
            stats.inc_value("source/directory/not_covered")
            stats.inc_value("source/directory/ok_queries")
            return
        if response.status != 200 or not hasattr(response, "text"):
            self._failed(directory, response.url, f"HTTP {response.status}")
            return
        listing_page = read_directory_page(response.text, response.url)
        if not listing_page.entries:
            self._failed(directory, response.url, "the page carries no schema.org clinic data")
            return
        stats.inc_value("source/directory/ok_queries")
        for kind in listing_page.formats:
            stats.inc_value(f"source/directory/pages_{kind}")
        fetched_at = now_iso()
        for entry in listing_page.entries:
            listing = directory_listing(directory, entry, response.url)
            if listing["zip"] and not self.region.contains_zip(listing["zip"]):
                stats.inc_value("source/directory/outside_region")
                continue
            decision, reason = ("candidate", f"listed by {directory}") if listing["zip"] else (
                "dropped", "no ZIP code to place it in a region")
            yield ListingItem(**listing, decision=decision, reason=reason, fetched_at=fetched_at,
                              raw={"name": entry.clinic.name, "detail_url": entry.detail_url,
                                   "position": entry.position, "page": response.url, **entry.clinic.to_json()})
        if listing_page.next_url and listing_page.next_url != response.url:
            if page < int(config.get("max_pages") or 20):
                yield self._request(listing_page.next_url, directory, config, page + 1)
            else:
                stats.inc_value("source/directory/page_cap_reached")

    def _failed(self, directory: str, url: str, why: str) -> None:
        self.logger.error("directory %s: %s failed: %s", directory, url, why)
        self.crawler.stats.inc_value("source/directory/failed_queries")

    def failed(self, failure):
        self._failed(failure.request.cb_kwargs.get("directory", "?"), failure.request.url, failure.getErrorMessage())
