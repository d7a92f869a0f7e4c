"""NPPES NPI Registry API v2.1: organisations practising in the region, ZIP by ZIP, paged within the API's caps.

In a ZIP where an organisation looks like ketamine care, the clinicians of the kinds that give it (anesthesiology,
psychiatry, nurse anesthetists...) are asked for too: an individual NPI-1 at a clinic's practice address is the
registry's own word on who treats there. They are kept as dropped listings (an individual is not a clinic) that
the build matches to clinics by address. A failed clinician query does not make the registry incomplete.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import scrapy

from crawlers.spiders.listing_source import ListingSource
from parsers.listings import check_npi_response, classify_npi, npi_listings


class NpiRegistrySpider(ListingSource):
    name = "npi_registry"
    source_order = 10

    def queries(self):
        for zip_code in self.region.query_zips:
            yield self._request(zip_code, skip=0)

    def _request(self, zip_code: str, skip: int, **query) -> scrapy.Request:
        query = {"version": "2.1", "postal_code": zip_code, "enumeration_type": "NPI-2",
                 "limit": self.settings.getint("NPI_PAGE_LIMIT"), "skip": skip, **query}
        return scrapy.Request(f"{self.settings.get('NPI_API_URL')}?{urlencode(query)}",
                              cb_kwargs={"zip_code": zip_code, "skip": skip})

    def answer(self, response, zip_code: str, skip: int):
        results = check_npi_response(json.loads(response.text))
        items = [self.listing(listing, *classify_npi(listing, result), response, raw=result)
                 for result in results for listing in npi_listings(result)]
        yield from items
        if skip == 0 and any(item and item.decision == "candidate" for item in items):
            for taxonomy in self.settings.getlist("NPI_CLINICIAN_TAXONOMIES"):
                request = self._request(zip_code, 0, enumeration_type="NPI-1", taxonomy_description=taxonomy)
                yield self.query(request, handler="clinician_queries", counted=False)
        page_size = self.settings.getint("NPI_PAGE_LIMIT")
        if len(results) == page_size:
            if skip + page_size <= self.settings.getint("NPI_MAX_SKIP"):
                yield self.query(self._request(zip_code, skip + page_size))
            else:
                self.logger.warning("NPI results for ZIP %s exceed the API's cap; some are unreachable", zip_code)
                self.count("capped_queries")

    def clinician_queries(self, response, zip_code: str, skip: int):
        """Individuals of a care-giving taxonomy practising in the ZIP; one page is enough to confirm a clinic's."""
        for result in check_npi_response(json.loads(response.text)):
            if result.get("enumeration_type") == "NPI-1":
                yield from (self.listing(listing, *classify_npi(listing, result), response, raw=result)
                            for listing in npi_listings(result))
