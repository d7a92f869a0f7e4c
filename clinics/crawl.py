"""One crawl run: discovery spiders, then each clinic's website, then the merge into clinics, all recorded.

Scrapy exits 0 whatever happened, so a run is judged by its stats and the result is an exit code cron can
act on: 0 all well, 1 partial failure (a source or some sites failed; what was known is kept), 2 the run
could not start (bad region, database locked by another run, database not writable).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from dataclasses import dataclass, field

from clinics.progress import Progress
from clinics.session import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NOT_STARTED, EXIT_OK, EXIT_PARTIAL, Session, run_session
from core.regions import Region
from crawlers.profiles import PROFILES
from db.build import BuildResult


def _discovery_spiders() -> tuple[str, ...]:
    """The listing sources, found by Scrapy's spider loader in crawlers/spiders/ (those with a ``source_order``)."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader(Settings({"SPIDER_MODULES": ["crawlers.spiders"]}))
    sources = [cls for cls in map(loader.load, loader.list()) if getattr(cls, "source_order", None) is not None]
    return tuple(cls.name for cls in sorted(sources, key=lambda cls: cls.source_order))


DISCOVERY_SPIDERS = _discovery_spiders()
ALL_SPIDERS = (*DISCOVERY_SPIDERS, "clinic_site")
LOCAL_SOURCES = {"seed_list"}  # usually a file beside the project: reading it reaches no one
LISTING_KEY = re.compile(rf"/listings/(?:{'|'.join(DISCOVERY_SPIDERS)})/(candidate|dropped)$")


@dataclass
class Thresholds:
    """When an unconfirmed clinic becomes stale, then gone (consecutive runs, or days since last confirmed)."""

    stale_after_runs: int = 3
    gone_after_runs: int = 6
    stale_after_days: float | None = None
    gone_after_days: float | None = None


OUTCOMES = {EXIT_OK: "ok", EXIT_PARTIAL: "partial failure", EXIT_FAILED: "failed", EXIT_INTERRUPTED: "interrupted"}


@dataclass
class RunResult:
    run_id: int | None
    exit_code: int
    stats: dict = field(default_factory=dict)
    clinics: int = 0
    facts: int = 0
    changes: int = 0
    errors: dict = field(default_factory=dict)
    message: str = ""
    unmapped: dict = field(default_factory=dict)  # text kept as text because it could not be mapped, by kind
    dropped: dict = field(default_factory=dict)  # listings the build dropped after reading their sites, by reason
    judged: dict = field(default_factory=dict)  # clinics confirmed, unconfirmed, untouched, gone (db/build.py)
    failed_queries: dict = field(default_factory=dict)  # source -> a few of its failed queries, with why
    npi_source: str = ""  # the registry in bulk or the API, and why

    def summary(self) -> str:
        if self.exit_code == EXIT_NOT_STARTED:
            return f"crawl not started: {self.message}"
        s = self.stats
        outcome = OUTCOMES.get(self.exit_code, "failed")
        lines = [
            f"run {self.run_id}: exit {self.exit_code} ({outcome}{': ' + self.message if self.message else ''})",
            f"  listings: {s.get('listings', 0)} ({s.get('listings_dropped', 0)} dropped by their source's filter"
            f"{_counted(', then dropped after reading their sites: ', self.dropped)})",
            f"  pages: {s.get('pages_fetched', 0)} fetched, {s.get('pages_changed', 0)} new or changed and parsed, "
            f"{s.get('pages_not_modified', 0)} not modified (304), {s.get('pages_not_requested', 0)} not asked for "
            f"(unchanged by their sitemap), {s.get('pages_failed', 0)} failed",
            f"  requests: {s.get('requests', 0)}, bytes received: {s.get('bytes_received', 0)}",
            *([f"  NPI registry read from {self.npi_source}"] if self.npi_source else []),
            f"  clinics: {self.clinics}{_counted(' (', self.judged, ')')}, facts: {self.facts}, changes: {self.changes}",
        ]
        if self.judged.get("untouched"):
            lines.append(f"  {self.judged['untouched']} clinic(s) known only from sources that failed were left as they "
                         "were: neither confirmed nor aged")
        for source, examples in sorted(self.failed_queries.items()):
            failed = self.errors.get(f"{source}/source/{source}/failed_queries", len(examples))
            lines.append(f"  {source}: {failed} quer{'y' if failed == 1 else 'ies'} failed, for example:")
            lines += [f"    {example}" for example in examples]
        if self.unmapped:
            lines.append("  unmapped (kept as text, see clinic_care key 'unmapped'): "
                         + ", ".join(f"{kind} {count}" for kind, count in sorted(self.unmapped.items())))
        lines += [f"  error: {kind}: {count}" for kind, count in sorted(self.errors.items())]
        return "\n".join(lines)


# Settings the run sets itself, each with what to do instead (a --set of one would split the run in two).
RUN_SETTINGS = {"DB_PATH": "choose it with --db", "REGION": "choose it with --region", "RUN_ID": "each run numbers itself",
                "NPI_FROM_BULK": "the run reads the bulk registry when it covers the region and is no older than "
                                 "--npi-max-age (see `clinics npi status`)",
                "SITE_QUEUE_URL": "give the coordinator --queue URL, and each worker `clinics worker URL`"}
NOT_SETTINGS = {"VERSION", "PROJECT_URL"}  # module constants of crawlers/settings.py that nothing reads as a setting


def setting_names() -> tuple[list[str], set[str]]:
    """The names ``--set`` accepts: the project's own settings (crawlers/settings.py), and every name either it or
    Scrapy defines. A typo must stop the run: a misspelt ``NPI_API_URL`` would crawl the real registry."""
    from scrapy.settings import default_settings

    import crawlers.settings as project

    scrapy_names = {name for name in dir(default_settings) if name.isupper()}
    own = sorted(name for name in dir(project) if name.isupper() and name not in scrapy_names
                 and name not in RUN_SETTINGS and name not in NOT_SETTINGS)
    return own, scrapy_names | set(own)


def crawler_settings(profile: str, db_path: str, run_id: int, region: Region, overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict({**PROFILES[profile], "DB_PATH": db_path, "RUN_ID": run_id, "REGION": region.name,
                      **(overrides or {})}, priority="cmdline")
    return settings


NPI_MAX_AGE_DAYS = 35  # a monthly file and its weekly updates stay within this; older, the API is asked


def run_crawl(region: Region, db_path: str, profile: str = "default", overrides: dict | None = None,
              spiders: tuple[str, ...] = ALL_SPIDERS, thresholds: Thresholds | None = None,
              log_file: str | None = None, quiet: bool = False, npi_max_age: float = NPI_MAX_AGE_DAYS,
              queue_url: str | None = None) -> RunResult:
    """Crawl the region with the named spiders in order, then build clinics. One call per process. With
    ``queue_url`` the clinic websites are crawled by workers (``clinics worker``) and this process writes what they
    send (clinics/coordinator.py)."""
    from clinics.lock import DatabaseLocked

    try:
        with run_session(db_path, close_interrupted=True) as run:
            npi_source = ""
            if "npi_registry" in spiders:
                bulk, npi_source = _npi_source(run, region, npi_max_age)
                overrides = {**(overrides or {}), "NPI_FROM_BULK": bulk}
            result = _locked_run(run, region, db_path, profile, overrides, spiders, thresholds or Thresholds(),
                                 log_file, quiet, queue_url)
            result.npi_source = npi_source
            return result
    except DatabaseLocked as error:
        return RunResult(None, EXIT_NOT_STARTED, message=str(error))
    except OSError as error:
        return RunResult(None, EXIT_NOT_STARTED, message=f"cannot write {db_path}: {error}")


def _npi_source(run: Session, region: Region, max_age: float) -> tuple[bool, str]:
    """Whether the registry's spider reads the bulk registry (else the API), and which it is, in words."""
    from datetime import UTC, datetime

    from db import registry

    bulk, why = registry.bulk_serves(registry.coverage(run.db), region.state.split("/"), max_age,
                                     datetime.now(UTC).date())
    return bulk, why


def _locked_run(run: Session, region, db_path, profile, overrides, spiders, thresholds: Thresholds, log_file,
                quiet, queue_url: str | None = None) -> RunResult:
    run_id = run.start(region.name, profile)
    settings = crawler_settings(profile, db_path, run_id, region, overrides)
    progress = Progress(enabled=not quiet)
    _configure_logging(settings, log_file, quiet, progress.live)
    if queue_url:
        crawl_stats = _run_with_workers(run, settings, spiders, region, progress, queue_url, profile, overrides)
    else:
        crawl_stats = _run_spiders(settings, spiders, region, progress)
    stopped = _not_rebuilt(crawl_stats, spiders)
    if stopped:  # nothing is rebuilt, so nothing is confirmed or aged; pages stored so far are read next run
        exit_code, status, reason = stopped
        figures = _figures(crawl_stats)
        errors = {**_errors(crawl_stats), status: 1}
        run.close(status=status, exit_code=exit_code, errors=errors, stats=crawl_stats, **figures)
        return RunResult(run_id, exit_code, figures, errors=errors, message=reason,
                         failed_queries=_failed_examples(crawl_stats))
    built: BuildResult = run.rebuild(region, complete_sources=_complete_sources(crawl_stats, spiders),
                                     sites_crawled="clinic_site" in spiders, confirms=True, **vars(thresholds))
    figures = _figures(crawl_stats)
    errors = _errors(crawl_stats)
    exit_code = EXIT_PARTIAL if errors else EXIT_OK
    run.close(status="ok" if exit_code == 0 else "partial", exit_code=exit_code, errors=errors,
              stats={**crawl_stats, **built.stats()}, **figures)
    return RunResult(run_id, exit_code, figures, built.clinics, built.facts, built.changes, errors,
                     unmapped=built.unmapped, dropped=built.dropped, judged=built.judged,
                     failed_queries=_failed_examples(crawl_stats))


def _run_with_workers(run: Session, settings, spiders, region: Region, progress: Progress, queue_url: str,
                      profile: str, overrides: dict | None) -> dict:
    """Discovery here, the clinic websites through the queue; an unfinished run of the region is resumed (its
    discovery as it was, its sites as the queue keeps them)."""
    import json

    from clinics import coordinator
    from crawlers.site_queue import SiteQueue

    queue = SiteQueue(queue_url)
    resumed = coordinator.resumable(queue, region.name)
    if resumed:
        logging.getLogger(__name__).warning("resuming the unfinished run %s of %s from %s", resumed.get("run_id"),
                                            region.name, queue_url)
        stats = json.loads(resumed["discovery"])
        coordinator.adopt(run.db, int(resumed["run_id"]), run.run_id)
        queue.resumed_by(run.run_id)
    else:
        stats = _run_spiders(settings, tuple(s for s in spiders if s != "clinic_site"), region, progress)
        if "clinic_site" not in spiders or _interrupted(stats):
            return stats
        coordinator.seed(queue, run.db, region, run.run_id, {"profile": profile, "overrides": overrides or {}}, stats)
    stats.update(coordinator.write_results(queue, run.db, run.run_id, settings, progress))
    return {**stats, **_process_cpu()}


def _configure_logging(settings, log_file: str | None, quiet: bool, live_progress: bool = False) -> None:
    """Scrapy logs to stderr by default; --log-file sends them to a rotating file; --quiet keeps stderr silent;
    on a terminal, where the progress lines show the crawl, stderr gets only errors (the summary counts the rest).

    The file holds INFO and above whatever the profile's LOG_LEVEL (a line per page and per failure, see
    crawlers/logformatter.py): Scrapy's loggers create DEBUG records, and the root logger's level does not
    stop records its children pass up, so the handler's own level does."""
    if live_progress and not log_file:
        settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
    if not (log_file or quiet):
        return
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5 * 1024 * 1024, backupCount=5)
        handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
    else:
        root.addHandler(logging.NullHandler())


def _run_spiders(settings, spiders: tuple[str, ...], region: Region, progress: Progress | None = None) -> dict:
    """Run the spiders one after another in this process's single reactor; their stats, prefixed by name."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    progress = progress or Progress(enabled=False)

    process = CrawlerProcess(settings)
    collected: dict = {}

    @defer.inlineCallbacks
    def chain():
        from twisted.internet import task

        try:
            for name in spiders:
                crawler = process.create_crawler(name)
                crawling = process.crawl(crawler, region=region.name) if name != "clinic_site" else process.crawl(crawler)
                # started once the crawl has installed Scrapy's reactor (a LoopingCall would install the default)
                ticker = task.LoopingCall(lambda name=name, crawler=crawler: progress.update(name, _live_stats(crawler)))
                ticker.start(0.5, now=False)
                try:
                    yield crawling
                finally:
                    ticker.stop()
                progress.done(name, _live_stats(crawler))
                for key, value in (crawler.stats.get_stats() or {}).items():
                    collected[f"{name}/{key}"] = value.isoformat() if hasattr(value, "isoformat") else value
                if crawler.stats.get_value("finish_reason") == "shutdown":
                    break  # SIGTERM or Ctrl+C: Scrapy is stopping; the spiders after this one do not start
        finally:
            from twisted.internet import reactor

            reactor.callLater(0, _stop, reactor)

    chain()
    process.start(stop_after_crawl=False)
    collected.update(_process_cpu())
    return collected


def _process_cpu() -> dict:
    """CPU seconds of this process (start-up, Scrapy, storing) and of its extraction workers, once they are
    reaped: `make bench` reports the crawl process's own cost per page apart from extraction."""
    import resource

    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"process/cpu_seconds": round(own.ru_utime + own.ru_stime, 3),
            "process/extraction_workers_cpu_seconds": round(workers.ru_utime + workers.ru_stime, 3)}


def _live_stats(crawler) -> dict:
    """A crawler's stats so far; none before its crawl has started (Scrapy sets them then)."""
    try:
        return crawler.stats.get_stats() or {}
    except RuntimeError:
        return {}


def _stop(reactor) -> None:
    """Stop the reactor unless a signal's graceful shutdown already did (a second stop raises)."""
    from twisted.internet.error import ReactorNotRunning

    try:
        reactor.stop()
    except ReactorNotRunning:
        pass


def _counted(before: str, counts: dict, after: str = "") -> str:
    """ "5 confirmed, 1 untouched" for a dict of counts, with text around it; nothing for no counts."""
    if not counts:
        return ""
    return before + ", ".join(f"{count} {what}" for what, count in sorted(counts.items(), key=lambda kv: -kv[1])) + after


def _not_rebuilt(stats: dict, spiders: tuple[str, ...]) -> tuple[int, str, str] | None:
    """(exit code, status, reason) of a run whose clinics must not be rebuilt: stopped by a signal, or one that
    reached nothing (no network, every address refused). Rebuilt, such a run would age every clinic whose site
    it never asked."""
    if _interrupted(stats):
        return EXIT_INTERRUPTED, "interrupted", "interrupted by a signal: no clinic was rebuilt, confirmed or aged"
    remote = [name for name in DISCOVERY_SPIDERS if name in spiders and name not in LOCAL_SOURCES]
    sources_answered = any(stats.get(f"{name}/source/{name}/ok_queries") for name in remote)
    sites_answered = stats.get("clinic_site/downloader/response_count", 0) > 0
    if (remote or "clinic_site" in spiders) and not sources_answered and not sites_answered:
        refused = _total(stats, "/address_guard/refused")
        why = f"{refused} request(s) refused by the address guard (no public address, or no DNS)" if refused else \
            "every query and page failed"
        return EXIT_FAILED, "failed", f"no source or website answered ({why}): no clinic was touched"
    return None


def _interrupted(stats: dict) -> bool:
    return any(key.endswith("/finish_reason") and value == "shutdown" for key, value in stats.items())


def _failed_examples(stats: dict) -> dict[str, list[str]]:
    return {name: stats[key] for name in DISCOVERY_SPIDERS if (key := f"{name}/source/{name}/failed_examples") in stats}


def _complete_sources(stats: dict, spiders: tuple[str, ...]) -> set[str]:
    """Listing sources that answered every query this run: only their silence means a clinic is unlisted."""
    complete = set()
    for name in DISCOVERY_SPIDERS:
        if name in spiders and stats.get(f"{name}/finish_reason") == "finished" \
                and not stats.get(f"{name}/source/{name}/failed_queries") and stats.get(f"{name}/source/{name}/ok_queries"):
            complete.add(name)
    return complete


def _total(stats: dict, suffix: str) -> int:
    return sum(v for k, v in stats.items() if k.endswith(suffix) and isinstance(v, int))


def _figures(stats: dict) -> dict:
    not_requested = stats.get("clinic_site/pages/not_requested", 0)
    listing_counts = [(m.group(1), v) for k, v in stats.items() if (m := LISTING_KEY.search(k))]
    return {
        # a page its sitemap vouched for is answered from storage: the spider's own (never in the downloader's
        # counters), or the middleware's (which passes them, without a request being sent)
        "pages_fetched": stats.get("clinic_site/downloader/response_count", 0) - not_requested
        + stats.get("clinic_site/pages/vouched_without_a_request", 0),
        "pages_changed": stats.get("clinic_site/pages/parsed", 0),
        "pages_not_modified": stats.get("clinic_site/pages/unchanged", 0) - not_requested,
        "pages_not_requested": not_requested,
        "pages_failed": stats.get("clinic_site/pages/failed", 0),
        "requests": _total(stats, "/downloader/request_count"),
        "bytes_received": _total(stats, "/downloader/response_bytes"),
        "items": _total(stats, "/item_scraped_count"),
        "listings": sum(v for _, v in listing_counts),
        "listings_dropped": sum(v for d, v in listing_counts if d == "dropped"),
    }


def _errors(stats: dict) -> dict:
    """What went wrong, by kind: failed source queries, failed pages and pages too big or too slow to read in
    full, sites whose robots.txt refuses them, spider exceptions, odd finishes."""
    errors: dict[str, int] = {}
    for key, value in stats.items():
        if key.endswith("/failed_queries") or "/pages/errors/" in key or "/sites/errors/" in key \
                or "/pages/limits/" in key or key.endswith("/spider_exceptions/count") \
                or key.endswith("/address_guard/refused"):
            errors[key] = value
        elif key.endswith("/finish_reason") and value != "finished":
            errors[key] = 1
    return errors

