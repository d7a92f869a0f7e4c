"""The shared start of the discovery spiders: the region they were asked for (or the REGION setting), resolved."""

from __future__ import annotations

import scrapy

from core.regions import Region, resolve


class RegionSpider(scrapy.Spider):
    """A spider over one region; ``self.region`` is resolved when the crawl starts."""

    region: Region
    # Listing sources run before the clinic sites, in this order; the crawl finds them through Scrapy's spider
    # loader (clinics/crawl.py), so a new source is one module in crawlers/spiders/ that sets it.
    source_order: int | None = None

    def __init__(self, region: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_name = region

    def resolve_region(self) -> Region:
        self.region = resolve(self.region_name or self.settings.get("REGION"))
        return self.region
