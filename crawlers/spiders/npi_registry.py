"""NPPES NPI Registry API v2.1: organisations practising in the region, ZIP by ZIP, paged within the API's caps."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import scrapy

from crawlers.items import ListingItem
from crawlers.spiders.region import RegionSpider
from db.store import now_iso
from parsers.listings import SourceError, check_npi_response, classify_npi, npi_listings


class NpiRegistrySpider(RegionSpider):
    name = "npi_registry"

    async def start(self):
        self.resolve_region()
        for zip_code in self.region.query_zips:
            yield self._request(zip_code, skip=0)

    def _request(self, zip_code: str, skip: int) -> scrapy.Request:
        limit = self.settings.getint("NPI_PAGE_LIMIT")
        query = {"version": "2.1", "postal_code": zip_code, "enumeration_type": "NPI-2", "limit": limit, "skip": skip}
        return scrapy.Request(f"{self.settings.get('NPI_API_URL')}?{urlencode(query)}", callback=self.parse,
                              errback=self.failed, cb_kwargs={"zip_code": zip_code, "skip": skip})

    def parse(self, response, zip_code: str, skip: int):
        try:
            results = check_npi_response(json.loads(response.text))
        except (SourceError, ValueError) as error:
            self.logger.error("NPI query for ZIP %s failed: %s", zip_code, error)
            self.crawler.stats.inc_value("source/npi_registry/failed_queries")
            return
        self.crawler.stats.inc_value("source/npi_registry/ok_queries")
        fetched_at = now_iso()
        for result in results:
            for listing in npi_listings(result):
                if not self.region.contains_zip(listing["zip"]):
                    continue
                decision, reason = classify_npi(listing, result)
                yield ListingItem(**listing, decision=decision, reason=reason, source_url=response.url,
                                  fetched_at=fetched_at, raw=result)
        page_size = self.settings.getint("NPI_PAGE_LIMIT")
        if len(results) == page_size:
            if skip + page_size <= self.settings.getint("NPI_MAX_SKIP"):
                yield self._request(zip_code, skip + page_size)
            else:
                self.logger.warning("NPI results for ZIP %s exceed the API's cap; some are unreachable", zip_code)
                self.crawler.stats.inc_value("source/npi_registry/capped_queries")

    def failed(self, failure):
        self.logger.error("NPI request failed: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("source/npi_registry/failed_queries")
