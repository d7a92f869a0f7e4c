"""NPPES NPI Registry API v2.1: organisations practising in the region, ZIP by ZIP, paged within the API's caps.

In a ZIP where an organisation looks like ketamine care, the clinicians of the kinds that give it (anesthesiology,
psychiatry, nurse anesthetists...) are asked for too: an individual NPI-1 at a clinic's practice address is the
registry's own word on who treats there. They are kept as dropped listings (an individual is not a clinic) that
the build matches to clinics by address.
"""

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
        relevant = False
        for result in results:
            for listing in npi_listings(result):
                if not self.region.contains_zip(listing["zip"]):
                    continue
                decision, reason = classify_npi(listing, result)
                relevant = relevant or decision == "candidate"
                yield ListingItem(**listing, decision=decision, reason=reason, source_url=response.url,
                                  fetched_at=fetched_at, raw=result)
        if relevant and skip == 0:
            for taxonomy in self.settings.getlist("NPI_CLINICIAN_TAXONOMIES"):
                query = {"version": "2.1", "postal_code": zip_code, "enumeration_type": "NPI-1",
                         "taxonomy_description": taxonomy, "limit": self.settings.getint("NPI_PAGE_LIMIT")}
                yield scrapy.Request(f"{self.settings.get('NPI_API_URL')}?{urlencode(query)}",
                                     callback=self.parse_clinicians, errback=self.clinicians_failed,
                                     cb_kwargs={"zip_code": zip_code})
        page_size = self.settings.getint("NPI_PAGE_LIMIT")
        if len(results) == page_size:
            if skip + page_size <= self.settings.getint("NPI_MAX_SKIP"):
                yield self._request(zip_code, skip + page_size)
            else:
                self.logger.warning("NPI results for ZIP %s exceed the API's cap; some are unreachable", zip_code)
                self.crawler.stats.inc_value("source/npi_registry/capped_queries")

    def parse_clinicians(self, response, zip_code: str):
        """Individuals of a care-giving taxonomy practising in the ZIP; one page is enough to confirm a clinic's."""
        try:
            results = check_npi_response(json.loads(response.text))
        except (SourceError, ValueError) as error:
            self.logger.warning("NPI clinician query for ZIP %s failed: %s", zip_code, error)
            self.crawler.stats.inc_value("source/npi_registry/clinician_queries_failed")
            return
        fetched_at = now_iso()
        for result in results:
            if result.get("enumeration_type") != "NPI-1":
                continue
            for listing in npi_listings(result):
                if self.region.contains_zip(listing["zip"]):
                    decision, reason = classify_npi(listing, result)
                    yield ListingItem(**listing, decision=decision, reason=reason, source_url=response.url,
                                      fetched_at=fetched_at, raw=result)

    def clinicians_failed(self, failure):
        """Not a failure of the listings: who treats is confirmed another time."""
        self.logger.warning("NPI clinician request failed: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("source/npi_registry/clinician_queries_failed")

    def failed(self, failure):
        self.logger.error("NPI request failed: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("source/npi_registry/failed_queries")
