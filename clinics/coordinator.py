"""``clinics crawl --queue redis://...``: the clinic websites crawled by workers on any number of machines
(``clinics worker``), this process the one writer of the database.

It queues every site of the region with a snapshot of its stored pages (crawlers/site_queue.py), then writes what
the workers send back, in the order they send it, with the same code a crawl in one process uses
(crawlers/pipelines.py PageWrites). A worker that stops answering has its sites queued again. A coordinator that
is stopped leaves the queue as it is: the same command started again finds the run unfinished and resumes it,
writing first what it had taken and not yet written.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from contextlib import contextmanager

from clinics.progress import Progress
from crawlers.page_store import snapshot
from crawlers.pipelines import PageWrites
from crawlers.site_queue import SiteQueue
from db.queries import candidate_websites
from parsers.urls import site_root

logger = logging.getLogger(__name__)
PREFIX = "clinic_site/"


class Counts(dict):
    """Crawl stats kept as Scrapy's collector keeps them (``inc_value``), under the clinic_site spider's name."""

    def inc_value(self, key: str, count: int = 1) -> None:
        self[PREFIX + key] = self.get(PREFIX + key, 0) + count


def resumable(queue: SiteQueue, region_name: str) -> dict | None:
    """The unfinished run of this region the queue holds (a coordinator stopped part-way), or None."""
    run = queue.run()
    return run if run.get("state") == "crawling" and run.get("region") == region_name else None


def adopt(db, earlier_run: int, run_id: int) -> None:
    """A resumed run takes on what the run it resumes saw: its listings and the pages written before it stopped
    are this run's (the build confirms a clinic by what this run saw)."""
    with db.conn:
        db.execute("update sources set run_id = ? where run_id = ?", [run_id, earlier_run])
        db.execute("update pages set run_id = ? where run_id = ?", [run_id, earlier_run])


def seed(queue: SiteQueue, db, region, run_id: int, worker_settings: dict, discovery: dict) -> int:
    """Queue every site of the region for the workers; how many."""
    roots = sorted({site_root(w) for w in candidate_websites(db, region)} - {None})
    tasks = [{"site": root, "pages": snapshot(db, root)} for root in roots]
    queue.start_run({"run_id": run_id, "region": region.name, "settings": json.dumps(worker_settings),
                     "discovery": json.dumps(discovery)}, tasks)
    return len(tasks)


def write_results(queue: SiteQueue, db, run_id: int, settings, progress: Progress | None = None) -> dict:
    """Write the workers' results until every site is done; the run's clinic_site stats."""
    stats = Counts()
    writes = PageWrites(db, stats, run_id)
    progress = progress or Progress(enabled=False)
    stall_s = settings.getfloat("SITE_QUEUE_STALL_S")
    for raw, message in queue.unapplied():  # taken by a coordinator that stopped before writing them
        _apply(queue, writes, stats, raw, message)
    last_heard, last_check = time.monotonic(), 0.0
    with _stop_on_sigterm():
        try:
            while True:
                done, total = queue.progress()
                stats[PREFIX + "sites/listed"] = total
                progress.update("clinic_site", _unprefixed(stats))
                if done >= total:
                    break
                if time.monotonic() - last_check > 2:
                    for worker in queue.requeue_dead_workers():
                        logger.warning("worker %s stopped answering: its sites are queued again", worker)
                        stats.inc_value("sites/requeued_from_dead_workers")
                    last_check = time.monotonic()
                taken = queue.take_result(timeout=1)
                if taken is not None:
                    _apply(queue, writes, stats, *taken)
                    last_heard = time.monotonic()
                elif queue.workers_alive() == 0 and time.monotonic() - last_heard > stall_s:
                    logger.error("no worker answered for %.0f s: the run stops; the same command resumes it", stall_s)
                    stats[PREFIX + "finish_reason"] = "stalled"
                    return stats
        except KeyboardInterrupt:
            stats[PREFIX + "finish_reason"] = "shutdown"  # the queue keeps the run: the same command resumes it
            return stats
    queue.finish_run()
    stats[PREFIX + "finish_reason"] = "finished"
    progress.done("clinic_site", _unprefixed(stats))
    return stats


def _apply(queue: SiteQueue, writes: PageWrites, stats: Counts, raw: str, message: dict) -> None:
    kind = message["kind"]
    if kind == "stats":
        for key, value in message["stats"].items():
            stats[PREFIX + key] = stats.get(PREFIX + key, 0) + value
    elif kind != "site_done":
        writes.apply(message)
    queue.applied(raw, site_done=message["site"] if kind == "site_done" else None)


def _unprefixed(stats: dict) -> dict:
    return {k[len(PREFIX):]: v for k, v in stats.items() if k.startswith(PREFIX)}


@contextmanager
def _stop_on_sigterm():
    """SIGTERM (systemd stopping the service, a timeout) stops the loop as Ctrl+C does."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
