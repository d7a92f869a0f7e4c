"""One crawl run: discovery spiders, then each clinic's website, then the merge into clinics, all recorded.

Scrapy exits 0 whatever happened, so a run is judged by its stats and the result is an exit code cron can
act on: 0 all well, 1 partial failure (a source or some sites failed; what was known is kept), 2 the run
could not start.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from clinics.regions import Region
from crawlers.profiles import PROFILES
from db.build import build_clinics
from db.schema import open_db
from db.store import finish_run, start_run

DISCOVERY_SPIDERS = ("npi_registry", "osm")
ALL_SPIDERS = (*DISCOVERY_SPIDERS, "clinic_site")
EXIT_OK, EXIT_PARTIAL, EXIT_NOT_STARTED = 0, 1, 2


@dataclass
class RunResult:
    run_id: int
    exit_code: int
    stats: dict = field(default_factory=dict)
    clinics: int = 0
    facts: int = 0
    changes: int = 0
    errors: dict = field(default_factory=dict)

    def summary(self) -> str:
        s = self.stats
        lines = [
            f"run {self.run_id}: exit {self.exit_code} "
            f"({'ok' if self.exit_code == 0 else 'partial failure' if self.exit_code == 1 else 'not started'})",
            f"  listings: {s.get('listings', 0)} ({s.get('listings_dropped', 0)} dropped)",
            f"  pages: {s.get('pages_fetched', 0)} fetched, {s.get('pages_parsed', 0)} parsed, "
            f"{s.get('pages_unchanged', 0)} unchanged, {s.get('pages_failed', 0)} failed",
            f"  clinics: {self.clinics}, facts: {self.facts}, changes: {self.changes}",
        ]
        lines += [f"  error: {kind}: {count}" for kind, count in sorted(self.errors.items())]
        return "\n".join(lines)


def crawler_settings(profile: str, db_path: str, run_id: int, region: Region, overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict({**PROFILES[profile], "DB_PATH": db_path, "RUN_ID": run_id, "REGION": region.name,
                      **(overrides or {})}, priority="cmdline")
    return settings


def run_crawl(region: Region, db_path: str, profile: str = "default", overrides: dict | None = None,
              spiders: tuple[str, ...] = ALL_SPIDERS) -> RunResult:
    """Crawl the region with the named spiders in order, then build clinics. One call per process."""
    db = open_db(db_path)
    run_id = start_run(db, region.name, profile)
    settings = crawler_settings(profile, db_path, run_id, region, overrides)
    crawl_stats = _run_spiders(settings, spiders, region)
    built = build_clinics(db, run_id, region.name, set(region.zips))
    stats = _figures(crawl_stats)
    errors = _errors(crawl_stats)
    exit_code = EXIT_PARTIAL if errors else EXIT_OK
    finish_run(db, run_id, status="ok" if exit_code == 0 else "partial", exit_code=exit_code, clinics=built.clinics,
               facts=built.facts, changes=built.changes, errors=errors,
               stats={**crawl_stats, "build/dropped": built.dropped},
               **{k: stats[k] for k in ("pages_fetched", "pages_failed", "listings", "listings_dropped")})
    return RunResult(run_id, exit_code, stats, built.clinics, built.facts, built.changes, errors)


def _run_spiders(settings, spiders: tuple[str, ...], region: Region) -> dict:
    """Run the spiders one after another in this process's single reactor; their stats, prefixed by name."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    process = CrawlerProcess(settings)
    collected: dict = {}

    @defer.inlineCallbacks
    def chain():
        try:
            for name in spiders:
                crawler = process.create_crawler(name)
                yield process.crawl(crawler, region=region.name) if name != "clinic_site" else process.crawl(crawler)
                for key, value in (crawler.stats.get_stats() or {}).items():
                    collected[f"{name}/{key}"] = value.isoformat() if hasattr(value, "isoformat") else value
        finally:
            from twisted.internet import reactor

            reactor.callLater(0, reactor.stop)

    chain()
    process.start(stop_after_crawl=False)
    return collected


LISTING_KEY = re.compile(r"/listings/(?:npi_registry|osm)/(candidate|dropped)$")


def _figures(stats: dict) -> dict:
    listing_counts = [(m.group(1), v) for k, v in stats.items() if (m := LISTING_KEY.search(k))]
    return {
        "pages_fetched": stats.get("clinic_site/downloader/response_count", 0),
        "pages_parsed": stats.get("clinic_site/pages/parsed", 0),
        "pages_unchanged": stats.get("clinic_site/pages/unchanged", 0),
        "pages_failed": stats.get("clinic_site/pages/failed", 0),
        "listings": sum(v for _, v in listing_counts),
        "listings_dropped": sum(v for d, v in listing_counts if d == "dropped"),
    }


def _errors(stats: dict) -> dict:
    """What went wrong, by kind: failed source queries, failed pages, spider exceptions, odd finishes."""
    errors: dict[str, int] = {}
    for key, value in stats.items():
        if key.endswith("/failed_queries") or "/pages/errors/" in key or key.endswith("/spider_exceptions/count"):
            errors[key] = value
        elif key.endswith("/finish_reason") and value != "finished":
            errors[key] = 1
    return errors
