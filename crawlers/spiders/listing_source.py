"""What every listing source shares, so that a source only says what is its own.

A source declares its ``name``, ``queries()`` (the requests that together cover the region) and ``answer()``
(what one answer holds: listings made with ``self.listing(...)``, or follow-up requests made with
``self.query(...)``; it raises ``SourceError`` or ``ValueError`` when the answer is not a real one). The base
owns the rest: the region, the ok and failed counters from which the build learns whether the source answered
completely (``source/<name>/ok_queries`` and ``failed_queries``), the errbacks, the region filter, one listing
per source id, and the items.
"""

from __future__ import annotations

from collections.abc import Iterable

import scrapy

from crawlers.items import ListingItem
from crawlers.spiders.region import RegionSpider
from db.store import now_iso
from parsers.listings import SourceError

MAX_FAILED_EXAMPLES = 3


class ListingSource(RegionSpider):
    async def start(self):
        self.resolve_region()
        self.seen_ids: set[str] = set()
        for request in self.queries():
            yield self.query(request)

    def queries(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    def answer(self, response, **kwargs) -> Iterable[ListingItem | scrapy.Request | None]:
        raise NotImplementedError

    def query(self, request: scrapy.Request, handler: str = "answer", counted: bool = True) -> scrapy.Request:
        """A request whose answer goes to ``handler``. A query that is not ``counted`` (a second look, such as
        the registry's clinicians at an address) never makes the source incomplete: its failures are counted
        apart, as ``<handler>_failed``."""
        return request.replace(callback=self._answered, errback=self._failed, dont_filter=True,
                               meta={**request.meta, "handler": handler, "counted": counted})

    def listing(self, listing: dict, decision: str, reason: str, response, raw, **extra) -> ListingItem | None:
        """The item for one listing, or None when it is outside the region or was already given. ``response`` is the
        answer it came in, or the URL of its record for a source read without a request (the registry in bulk)."""
        if listing.get("zip") and not self.region.contains_zip(listing["zip"]):
            self.count("outside_region")
            return None
        if listing["source_id"] in self.seen_ids:
            return None
        self.seen_ids.add(listing["source_id"])
        url = response if isinstance(response, str) else response.url
        return ListingItem(**{"source_url": url, **listing}, decision=decision, reason=reason,
                           fetched_at=now_iso(), raw=raw, **extra)  # a listing may name its own page (a detail URL)

    def count(self, what: str) -> None:
        self.crawler.stats.inc_value(f"source/{self.name}/{what}")

    def _answered(self, response, **kwargs):
        handler, counted = response.meta["handler"], response.meta["counted"]
        try:
            found = list(getattr(self, handler)(response, **kwargs))  # an answer that fails part-way gives nothing
        except (SourceError, ValueError) as error:
            self._count_failure(handler, counted, response.url, str(error))
            return
        if counted:
            self.count("ok_queries")
        yield from (item for item in found if item is not None)

    def _failed(self, failure):
        request = failure.request
        self._count_failure(request.meta["handler"], request.meta["counted"], request.url, failure.getErrorMessage())

    def _count_failure(self, handler: str, counted: bool, url: str, why: str) -> None:
        if counted:
            self.logger.error("%s: %s failed: %s", self.name, url, why)
            self.count("failed_queries")
            examples = self.crawler.stats.get_value(f"source/{self.name}/failed_examples") or []
            if len(examples) < MAX_FAILED_EXAMPLES:  # the run's summary names them
                self.crawler.stats.set_value(f"source/{self.name}/failed_examples", [*examples, f"{url}: {why}"[:200]])
        else:
            self.logger.warning("%s: %s failed: %s", self.name, url, why)
            self.count(f"{handler}_failed")
