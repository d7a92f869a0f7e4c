"""The one storing pipeline: listings into `sources`, pages through the parsers into `pages`.

Spiders only fetch and hand on; this is where a page is parsed, and only when its content is new: a 304 or
an unchanged content hash costs no parse and no write of facts. Data problems are counted in crawl stats.
Extraction is CPU work, so it runs in worker processes (``EXTRACT_PROCESSES``) while this process keeps
downloading; every database write stays here, in one process.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

from crawlers.extraction import extract_within, worker_pool
from crawlers.items import ListingItem, PageItem, VouchedPagesItem
from db.schema import open_db
from db.store import (
    content_hash,
    page_validators,
    record_page_failure,
    save_listing,
    save_page,
    update_page,
    update_pages,
)


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("DB_PATH")
        self.run_id = crawler.settings.getint("RUN_ID") or None
        self.region = crawler.settings.get("REGION")
        self.processes = crawler.settings.getint("EXTRACT_PROCESSES")
        self.time_limit = crawler.settings.getfloat("EXTRACT_TIME_LIMIT")
        self.db = None
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.db = open_db(self.db_path)

    def close_spider(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.db is not None:
            self.db.close()

    async def process_item(self, item):
        if isinstance(item, ListingItem):
            self._listing(item)
        elif isinstance(item, PageItem):
            await self._page(item)
        elif isinstance(item, VouchedPagesItem):
            self._vouched(item)
        return item

    def _vouched(self, item: VouchedPagesItem) -> None:
        """Pages not asked for (their sitemap vouched for them): each keeps its content and is confirmed by this
        run, as a page answered 304 is, but not verified (``verified_at`` is the server's word only)."""
        update_pages(self.db, item.urls, {"last_ok_at": item.seen_at, "error": None, "run_id": self.run_id})
        self.stats.inc_value("pages/unchanged", len(item.urls))
        self.stats.inc_value("pages/not_requested", len(item.urls))

    def _listing(self, item: ListingItem) -> None:
        if not save_listing(self.db, {**asdict(item), "region": self.region}, self.run_id):
            self.stats.inc_value(f"listings/{item.source}/website_not_a_url")  # kept without it, never fetched
        self.stats.inc_value(f"listings/{item.source}/{item.decision}")
        if item.decision == "dropped":
            self.stats.inc_value(f"listings/dropped/{item.reason}")

    async def _page(self, item: PageItem) -> None:
        if item.error or item.status is None or item.status >= 400:
            record_page_failure(self.db, item.url, item.site, item.status, item.error or f"HTTP {item.status}",
                                self.run_id)
            self.stats.inc_value("pages/failed")
            return
        if item.status == 304 or page_validators(self.db, item.url).get("content_hash") == content_hash(item.body):
            unchanged = {"last_ok_at": item.fetched_at, "error": None, "run_id": self.run_id}
            if item.requested:  # the server answered: the sitemap's word is trusted from now on
                unchanged.update(fetched_at=item.fetched_at, verified_at=item.fetched_at, status=item.status)
            else:
                self.stats.inc_value("pages/not_requested")
            if item.links is not None and item.status != 304:
                unchanged["links"] = json.dumps(item.links)
            update_page(self.db, item.url, unchanged)
            self.stats.inc_value("pages/unchanged")
            return
        facts = await self._extract(item)
        if "error" in facts:  # the page is kept as it was known; the run says what happened
            self.crawler.spider.logger.warning("not read: %s: %s", item.url, facts["detail"])
            self.stats.inc_value(f"pages/errors/extraction_{facts['error']}")
            return
        for limit in facts.get("limits") or []:
            self.stats.inc_value(f"pages/limits/{limit}")  # read in part: counted with the run's errors
        save_page(self.db, asdict(item), facts, self.run_id)
        self.stats.inc_value("pages/parsed")
        for kind in ("routes", "services", "conditions", "prices"):
            self.stats.inc_value(f"facts/{kind}", len(facts[kind]))

    async def _extract(self, item: PageItem) -> dict:
        """The page's facts, from a worker process when there are any (started at the first page to parse)."""
        if self.processes <= 0:
            return extract_within(item.body, item.url, item.fetched_at, self.time_limit)
        if self.pool is None:
            self.pool = worker_pool(self.processes)
        return await asyncio.get_running_loop().run_in_executor(self.pool, extract_within, item.body, item.url,
                                                                item.fetched_at, self.time_limit)
