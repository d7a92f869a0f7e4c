"""OpenStreetMap through the Overpass API: clinics and doctors inside the region's bounding box.

The offline gazetteer has no OSM relation ids, so each county of the region is queried by the bounding box
of its ZIP codes, and results are kept only when their postcode is in the region (or, without one, inside
a box). An element inside two boxes is listed once.
"""

from __future__ import annotations

import json

import scrapy

from crawlers.items import ListingItem
from crawlers.spiders.region import RegionSpider
from db.store import now_iso
from parsers.listings import SourceError, check_overpass_response, classify_osm, osm_listing

QUERY = """[out:json][timeout:{timeout}];
(
  nwr["healthcare"~"^(clinic|doctor|psychotherapist|centre|counselling)$"]({bbox});
  nwr["amenity"~"^(clinic|doctors)$"]({bbox});
  nwr["healthcare:speciality"~"psychiatry|anaesthetics|pain"]({bbox});
  nwr["name"~"ketamine|infusion",i]({bbox});
);
out center tags;"""


class OsmSpider(RegionSpider):
    name = "osm"

    async def start(self):
        self.resolve_region()
        self.seen: set[str] = set()
        timeout = self.settings.getint("OVERPASS_TIMEOUT")
        for box in self.region.boxes or (self.region.bbox,):
            bbox = ",".join(f"{v:.4f}" for v in box)
            yield scrapy.FormRequest(self.settings.get("OVERPASS_API_URL"),
                                     formdata={"data": QUERY.format(bbox=bbox, timeout=timeout)}, callback=self.parse,
                                     errback=self.failed, dont_filter=True)

    def parse(self, response):
        try:
            data = json.loads(response.text)
            elements = check_overpass_response(data)
        except (SourceError, ValueError) as error:
            self.logger.error("Overpass query failed: %s", error)
            self.crawler.stats.inc_value("source/osm/failed_queries")
            return
        self.crawler.stats.inc_value("source/osm/ok_queries")
        published = (data.get("osm3s") or {}).get("timestamp_osm_base")
        fetched_at = now_iso()
        for element in elements:
            listing = osm_listing(element)
            if listing["source_id"] in self.seen:
                continue
            self.seen.add(listing["source_id"])
            if listing["zip"] and not self.region.contains_zip(listing["zip"]):
                self.crawler.stats.inc_value("source/osm/outside_region")
                continue
            decision, reason = classify_osm(listing, element)
            yield ListingItem(**listing, decision=decision, reason=reason, source_url=response.url,
                              published_at=published, fetched_at=fetched_at, raw=element)

    def failed(self, failure):
        self.logger.error("Overpass request failed: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("source/osm/failed_queries")
