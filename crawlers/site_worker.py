"""The clinic_site spider as a worker of a crawl spread over machines (``clinics worker``): sites come from the
coordinator's Redis queue a batch at a time, each with a snapshot of its stored pages; pages are read here and
their writes go back through Redis (crawlers/pipelines.py QueuePipeline). A heartbeat tells the coordinator the
worker is alive; a worker that stops sending it has its sites put back in the queue for another."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from crawlers.page_store import SnapshotPages
from crawlers.site_queue import SiteQueue, worker_name


class SiteWorker:
    def __init__(self, spider, crawler):
        self.spider, self.crawler = spider, crawler
        self.queue = SiteQueue(crawler.settings.get("SITE_QUEUE_URL"))
        self.name = worker_name()
        self.batch_size = crawler.settings.getint("SITE_QUEUE_BATCH")
        self.heartbeat_s = crawler.settings.getfloat("SITE_QUEUE_HEARTBEAT_S")
        self.batch: list[str] = []
        self.reported: dict[str, int] = {}
        self._beat = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    def opened(self, spider) -> None:
        from twisted.internet import task

        self.queue.alive(self.name, self.heartbeat_s)
        self._beat = task.LoopingCall(self.queue.alive, self.name, self.heartbeat_s)
        self._beat.start(max(0.5, self.heartbeat_s / 3), now=False)

    def closed(self, spider, reason) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if reason == "finished":  # stopped otherwise (a signal), the claims stay for the coordinator to hand on
            self.queue.gone(self.name)

    def next_batch(self) -> None:
        """Called when the spider is idle: the batch before is done. Ends the crawl only once the run is over."""
        if self.batch:
            self.queue.sites_done(self.name, self.batch, self._stats_since_last())
            for site in self.batch:
                self.spider.forget_site(site)
            self.batch = []
        tasks = self.queue.claim(self.name, self.batch_size)
        for task in tasks:
            site = task["site"]
            self.spider.snapshots[site] = SnapshotPages(task["pages"])
            self.batch.append(site)
            for request in self.spider.site_start(site):
                self.crawler.engine.crawl(request)
        if tasks or self.queue.run().get("state") == "crawling":
            raise DontCloseSpider

    def _stats_since_last(self) -> dict[str, int]:
        """The crawl's counters (requests, bytes, what the spider counted) since the last report."""
        now = {k: v for k, v in (self.crawler.stats.get_stats() or {}).items()
               if isinstance(v, int) and not isinstance(v, bool) and not k.startswith("memusage/")}
        delta = {k: v - self.reported.get(k, 0) for k, v in now.items() if v != self.reported.get(k, 0)}
        self.reported = now
        return delta
