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

    async def start(self):
        """The API, ZIP by ZIP; or, when the crawl chose the registry loaded in bulk (NPI_FROM_BULK), the region's
        NPIs from the database, without a request."""
        if not self.settings.getbool("NPI_FROM_BULK"):
            async for request in super().start():
                yield request
            return
        self.resolve_region()
        self.seen_ids = set()
        for item in self.bulk_listings():
            yield item
        self.count("ok_queries")  # the registry answered for the whole region: a complete source

    def bulk_listings(self):
        """What the API would answer for the region: its organisations, then, at the ZIPs where one looks like
        ketamine care, the clinicians of the taxonomies NPI_CLINICIAN_TAXONOMIES names."""
        from db import registry
        from db.schema import open_db

        db = open_db(self.settings.get("DB_PATH"))
        care_zips = set()
        for record, zips in registry.records_in(db, self.region.state.split("/"), "NPI-2"):
            if any(self.region.contains_zip(z) for z in zips):
                for item in self._record_listings(record):
                    if item.decision == "candidate":
                        care_zips.add(item.zip)
                    yield item
        words = [w.lower() for w in self.settings.getlist("NPI_CLINICIAN_TAXONOMIES")]
        for record, _ in registry.records_in(db, (), "NPI-1", zips=care_zips):
            if any(w in (t.get("desc") or "").lower() for t in record.get("taxonomies") or [] for w in words):
                yield from self._record_listings(record)
        db.close()

    def _record_listings(self, record: dict):
        url = f"{self.settings.get('NPI_API_URL')}?{urlencode({'version': '2.1', 'number': record['number']})}"
        for listing in npi_listings(record):
            item = self.listing(listing, *classify_npi(listing, record), url, raw=record)
            if item is not None:
                yield item

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
