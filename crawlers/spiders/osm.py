"""OpenStreetMap through the Overpass API: clinics and doctors inside the region's bounding box.

The offline gazetteer has no OSM relation ids, so each county of the region is queried by the bounding box
of its ZIP codes, and results are kept only when their postcode is in the region (or, without one, inside
a box). An element inside two boxes is listed once.
"""

from __future__ import annotations

import json

import scrapy

from crawlers.spiders.listing_source import ListingSource
from parsers.listings import check_overpass_response, classify_osm, osm_listing

QUERY = """[out:json][timeout:{timeout}];
(
  nwr["healthcare"~"^(clinic|doctor|psychotherapist|centre|counselling)$"]({bbox});
  nwr["amenity"~"^(clinic|doctors)$"]({bbox});
  nwr["healthcare:speciality"~"psychiatry|anaesthetics|pain"]({bbox});
  nwr["name"~"ketamine|infusion",i]({bbox});
);
out center tags;"""


class OsmSpider(ListingSource):
    name = "osm"
    source_order = 20

    def queries(self):
        timeout = self.settings.getint("OVERPASS_TIMEOUT")
        for box in self.region.boxes or (self.region.bbox,):
            bbox = ",".join(f"{v:.4f}" for v in box)
            yield scrapy.FormRequest(self.settings.get("OVERPASS_API_URL"),
                                     formdata={"data": QUERY.format(bbox=bbox, timeout=timeout)})

    def answer(self, response):
        data = json.loads(response.text)
        published = (data.get("osm3s") or {}).get("timestamp_osm_base")
        for element in check_overpass_response(data):
            listing = osm_listing(element)
            decision, reason = classify_osm(listing, element)
            yield self.listing(listing, decision, reason, response, raw=element, published_at=published)
