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

from crawlers.spiders.listing_source import ListingSource
from parsers.directory import read_directory_page
from parsers.listings import SourceError, directory_listing

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


class DirectorySpider(ListingSource):
    name = "directory"
    source_order = 30
    custom_settings = {"HTTPERROR_ALLOWED_CODES": [404]}

    def queries(self):
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
        return scrapy.Request(url, cb_kwargs={"directory": directory, "config": config, "page": page})

    def answer(self, response, directory: str, config: dict, page: int):
        if response.status == 404 and page == 1:
            self.logger.info("%s has no page for %s", directory, response.url)
            self.count("not_covered")  # a county the directory does not cover: an answer, not a failure
            return
        if response.status != 200 or not hasattr(response, "text"):
            raise SourceError(f"{directory}: HTTP {response.status}")
        listing_page = read_directory_page(response.text, response.url)
        if not listing_page.entries:
            raise SourceError(f"{directory}: the page carries no schema.org clinic data")
        for kind in listing_page.formats:
            self.count(f"pages_{kind}")
        for entry in listing_page.entries:
            listing = directory_listing(directory, entry, response.url)
            decision, reason = ("candidate", f"listed by {directory}") if listing["zip"] else (
                "dropped", "no ZIP code to place it in a region")
            raw = {"name": entry.clinic.name, "detail_url": entry.detail_url, "position": entry.position,
                   "page": response.url, **entry.clinic.to_json()}
            yield self.listing(listing, decision, reason, response, raw=raw)
        if listing_page.next_url and listing_page.next_url != response.url:
            if page < int(config.get("max_pages") or 20):
                yield self.query(self._request(listing_page.next_url, directory, config, page + 1))
            else:
                self.count("page_cap_reached")
