"""``clinics worker redis://HOST:PORT/N``: one worker of a crawl spread over machines (docs/scaling.md).

It waits for a coordinator (``clinics crawl --queue ...``) to queue a run, takes the run's settings from the
queue (so every worker crawls as the coordinator was told to: profile, User-Agent, limits), crawls sites a batch
at a time and exits when the run is over. Run it as a service that restarts it (the systemd unit in
docs/scaling.md) and it serves one run after another. It needs no database: each site comes with a snapshot of
what was stored of it.
"""

from __future__ import annotations

import json
import os
import time

from crawlers.site_queue import SiteQueue

WAIT_S = 1.0  # how often a waiting worker asks whether a run is queued


def wait_for_run(queue: SiteQueue, patience_s: float | None = None) -> dict | None:
    """The run the coordinator queued, once there is one; None after ``patience_s`` (None: wait for ever)."""
    started = time.monotonic()
    while True:
        run = queue.run()
        if run.get("state") == "crawling":
            return run
        if patience_s is not None and time.monotonic() - started > patience_s:
            return None
        time.sleep(WAIT_S)


def run_worker(url: str, run: dict) -> dict:
    """Crawl the run's sites until it is over; the worker's own Scrapy stats."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawlers.profiles import PROFILES

    told = json.loads(run["settings"])
    settings = get_project_settings()
    settings.setdict({**PROFILES[told["profile"]], **told["overrides"], "SITE_QUEUE_URL": url, "DB_PATH": None,
                      "REGION": run["region"], "ITEM_PIPELINES": {"crawlers.pipelines.QueuePipeline": 800}},
                     priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("clinic_site")
    process.crawl(crawler)
    process.start()
    return crawler.stats.get_stats() or {}
