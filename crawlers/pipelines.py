"""The storing pipelines: listings into `sources`, pages through the parsers into `pages`.

Spiders only fetch and hand on. A page becomes a *write* (``PageReader``): what storing it means, decided where it
was fetched: a failure, unchanged (a 304 or the same content hash: no parse), or read (its facts, from the parsers,
in worker processes: ``EXTRACT_PROCESSES``). ``PageWrites`` applies writes to the database and counts them in the
crawl's stats. In one process (``StorePipeline``) both happen here; in a crawl spread over machines a worker
decides and sends its writes through Redis (``QueuePipeline``), and the coordinator, the one writer, applies them
(clinics/coordinator.py). Data problems are counted in crawl stats.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

from crawlers.extraction import extract_within, worker_pool
from crawlers.items import ListingItem, PageItem, VouchedPagesItem
from db.schema import open_db
from db.store import content_hash, record_page_failure, save_listing, save_page, update_page, update_pages

logger = logging.getLogger(__name__)


class PageReader:
    """Turns a fetched page into its write, reading it only when its content is new."""

    def __init__(self, settings, stored_hash: Callable[[PageItem], str | None]):
        self.stored_hash = stored_hash  # the content hash stored for the page's URL
        self.processes = settings.getint("EXTRACT_PROCESSES")
        self.time_limit = settings.getfloat("EXTRACT_TIME_LIMIT")
        self.pool: ProcessPoolExecutor | None = None

    async def write_of(self, item: PageItem) -> dict:
        if item.error or item.status is None or item.status >= 400:
            return {"kind": "failure", "url": item.url, "site": item.site, "status": item.status,
                    "error": item.error or f"HTTP {item.status}"}
        if item.status == 304 or self.stored_hash(item) == content_hash(item.body):
            values = {"last_ok_at": item.fetched_at, "error": None}
            if item.requested:  # the server answered: the sitemap's word is trusted from now on
                values.update(fetched_at=item.fetched_at, verified_at=item.fetched_at, status=item.status)
            if item.links is not None and item.status != 304:
                values["links"] = json.dumps(item.links)
            return {"kind": "unchanged", "url": item.url, "values": values, "requested": item.requested}
        facts = await self._extract(item)
        if "error" in facts:  # the page is kept as it was known; the run says what happened
            return {"kind": "unread", "url": item.url, "error": facts["error"], "detail": facts["detail"]}
        return {"kind": "page", "page": asdict(item), "facts": facts}

    async def _extract(self, item: PageItem) -> dict:
        """The page's facts, from a worker process when there are any (started at the first page to parse)."""
        if self.processes <= 0:
            return extract_within(item.body, item.url, item.fetched_at, self.time_limit)
        if self.pool is None:
            self.pool = worker_pool(self.processes)
        return await asyncio.get_running_loop().run_in_executor(self.pool, extract_within, item.body, item.url,
                                                                item.fetched_at, self.time_limit)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def vouched_write(item: VouchedPagesItem) -> dict:
    return {"kind": "vouched", "urls": item.urls, "seen_at": item.seen_at}


class PageWrites:
    """Applies page writes to the database, counting each in ``stats`` (anything with ``inc_value``)."""

    def __init__(self, db, stats, run_id: int | None):
        self.db, self.stats, self.run_id = db, stats, run_id

    def apply(self, write: dict) -> None:
        getattr(self, f"_{write['kind']}")(write)

    def _failure(self, write: dict) -> None:
        record_page_failure(self.db, write["url"], write["site"], write["status"], write["error"], self.run_id)
        self.stats.inc_value("pages/failed")

    def _unchanged(self, write: dict) -> None:
        update_page(self.db, write["url"], {**write["values"], "run_id": self.run_id})
        self.stats.inc_value("pages/unchanged")
        if not write["requested"]:
            self.stats.inc_value("pages/not_requested")

    def _unread(self, write: dict) -> None:
        logger.warning("not read: %s: %s", write["url"], write["detail"])
        self.stats.inc_value(f"pages/errors/extraction_{write['error']}")

    def _page(self, write: dict) -> None:
        facts = write["facts"]
        for limit in facts.get("limits") or []:
            self.stats.inc_value(f"pages/limits/{limit}")  # read in part: counted with the run's errors
        save_page(self.db, write["page"], facts, self.run_id)
        self.stats.inc_value("pages/parsed")
        for kind in ("routes", "services", "conditions", "prices"):
            self.stats.inc_value(f"facts/{kind}", len(facts[kind]))

    def _vouched(self, write: dict) -> None:
        """Pages not asked for (their sitemap vouched for them): each keeps its content and is confirmed by this
        run, as a page answered 304 is, but not verified (``verified_at`` is the server's word only)."""
        update_pages(self.db, write["urls"], {"last_ok_at": write["seen_at"], "error": None, "run_id": self.run_id})
        self.stats.inc_value("pages/unchanged", len(write["urls"]))
        self.stats.inc_value("pages/not_requested", len(write["urls"]))


class StorePipeline:
    """One process: every item read and written here."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("DB_PATH")
        self.run_id = crawler.settings.getint("RUN_ID") or None
        self.region = crawler.settings.get("REGION")
        self.reader = PageReader(crawler.settings, self._stored_hash)
        self.db = None
        self.writes: PageWrites | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.db = open_db(self.db_path)
        self.writes = PageWrites(self.db, self.stats, self.run_id)

    def close_spider(self):
        self.reader.close()
        if self.db is not None:
            self.db.close()

    def _stored_hash(self, item: PageItem) -> str | None:
        return self.crawler.spider.stored(item.site).validators(item.url).get("content_hash")

    async def process_item(self, item):
        if isinstance(item, ListingItem):
            self._listing(item)
        elif isinstance(item, PageItem):
            self.writes.apply(await self.reader.write_of(item))
        elif isinstance(item, VouchedPagesItem):
            self.writes.apply(vouched_write(item))
        return item

    def _listing(self, item: ListingItem) -> None:
        if not save_listing(self.db, {**asdict(item), "region": self.region}, self.run_id):
            self.stats.inc_value(f"listings/{item.source}/website_not_a_url")  # kept without it, never fetched
        self.stats.inc_value(f"listings/{item.source}/{item.decision}")
        if item.decision == "dropped":
            self.stats.inc_value(f"listings/dropped/{item.reason}")


class QueuePipeline:
    """A worker of a crawl spread over machines (clinics/worker.py): pages read here, their writes sent to the
    coordinator through Redis."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.reader = PageReader(crawler.settings, self._stored_hash)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def close_spider(self):
        self.reader.close()

    def _stored_hash(self, item: PageItem) -> str | None:
        return self.crawler.spider.stored(item.site).validators(item.url).get("content_hash")

    async def process_item(self, item):
        queue = self.crawler.spider.worker.queue
        if isinstance(item, PageItem):
            queue.send(await self.reader.write_of(item))
        elif isinstance(item, VouchedPagesItem):
            queue.send(vouched_write(item))
        return item
