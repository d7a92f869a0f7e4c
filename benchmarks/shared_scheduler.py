"""Two crawl processes sharing one request queue and duplicate filter through a loopback ``redis-server``.

The project's own ``clinic_site`` spider, pipeline and settings run unchanged in each process; only the
scheduler and duplicate filter are scrapy-redis's (``SCHEDULER_PERSIST = True``: with the default, the
first process to close clears the shared queue and filter). Both processes read the same start pages from
the database and push them through the shared filter, so each is queued once, and both pull from the same
queue. The synthetic web's server records every request with the process that made it (a suffix on the
User-Agent), so "no page fetched twice" is counted from the server's side, not taken from Scrapy's stats.

Runs, each on a fresh copy of the same seeded database: one process with Scrapy's own scheduler (what
``clinics crawl`` does), one process with the Redis scheduler, and two processes sharing it.

    python -m benchmarks.shared_scheduler [--sites 100] [--pages-per-site 20] [--workers 2]

Needs ``redis-server`` on PATH (Debian: ``apt-get install redis-server``) and ``pip install -e '.[scale]'``.
Nothing but loopback is touched; redis runs without persistence in a temporary directory and is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.results_file import write_results
from benchmarks.synthetic_web import generate
from sample_web.server import RunningSampleWeb

ROOT = Path(__file__).resolve().parent.parent
REGION = "Orange County, CA"
WORKER_TAG = re.compile(r"bench-worker/(\S+)")
BUSY_KEY = "clinic_site:busy"  # worker name -> 1 while it has requests in flight, 0 when idle


# The web server, with an access log ---------------------------------------------------------------------
def serve_logged(root: Path, log_path: Path) -> None:
    """The sample web's own server (sample_web.server), each request also written to ``log_path``."""
    from sample_web import server

    lock = threading.Lock()
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the server's life

    def log_request(handler, code="-", size="-"):
        agent = handler.headers.get("User-Agent", "") if handler.headers else ""
        host = handler.headers.get("Host", "") if handler.headers else ""
        status = getattr(code, "value", code)
        line = f"{time.time():.3f}\t{host}\t{handler.command}\t{handler.path}\t{status}\t{agent}\n"
        with lock:
            log.write(line)

    server.Handler.log_request = log_request
    server.main(["--root", str(root)])


class LoggedWeb(RunningSampleWeb):
    """The logged server in a child process, started and stopped as sample_web.server.RunningSampleWeb is."""

    def __init__(self, root: Path, log_path: Path):
        super().__init__(root)
        self.log_path = log_path

    def command(self) -> list[str]:
        return [sys.executable, "-m", "benchmarks.shared_scheduler", "serve", str(self.root), str(self.log_path)]


# redis-server on loopback ---------------------------------------------------------------------------------
class LoopbackRedis:
    """Debian's redis-server on 127.0.0.1, a free port, no persistence, in its own temporary directory."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise SystemExit("redis-server is not on PATH: on Debian, apt-get install redis-server")
        self.dir = Path(tempfile.mkdtemp(prefix="clinics-redis-"))
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> LoopbackRedis:
        import redis

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited ({self.process.returncode})") from None
                time.sleep(0.05)
        self.version = client.info("server")["redis_version"]
        client.close()
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


# One crawl process ---------------------------------------------------------------------------------------
class WaitForPeers:
    """Keeps a worker open while another worker still has requests in flight: its pages may add links to the
    shared queue. Without it a worker that finds the queue momentarily empty closes, and the rest of the crawl
    falls to the other. A Scrapy extension; the benchmark's workers load it, the project does not."""

    def __init__(self, crawler):
        from scrapy import signals

        self.crawler = crawler
        self.name = crawler.settings.get("BENCH_WORKER")
        self.server = None
        self.busy = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _mark(self, busy: int) -> None:
        if self.busy != busy:
            self.server.hset(BUSY_KEY, self.name, busy)
            self.busy = busy

    def opened(self, spider):
        from scrapy_redis.connection import from_settings

        self.server = from_settings(self.crawler.settings)
        self._mark(1)

    def reached(self, request, spider):
        self._mark(1)

    def idle(self, spider):
        from scrapy.exceptions import DontCloseSpider

        self._mark(0)
        states = {_text(k): _text(v) for k, v in self.server.hgetall(BUSY_KEY).items()}
        if any(state == "1" for who, state in states.items() if who != self.name):
            self.crawler.stats.inc_value("bench/waited_for_peer")
            raise DontCloseSpider

    def dropped(self, request, spider):
        """The shared filter had seen it (scrapy-redis's filter keeps no count of its own)."""
        self.crawler.stats.inc_value("bench/dropped_as_seen")

    def closed(self, spider, reason):
        self._mark(0)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def worker(db_path: str, api_base: str, name: str, pages_per_site: int, redis_url: str | None) -> None:
    """Run the project's clinic_site spider once, print its figures as one JSON line."""
    from clinics.crawl import crawler_settings
    from core.regions import resolve
    from crawlers.profiles import sample_web_settings

    overrides = {**sample_web_settings(api_base), "CLINIC_SITE_MAX_PAGES": pages_per_site, "LOG_LEVEL": "ERROR",
                 "BENCH_WORKER": name}
    if redis_url:
        overrides.update({"SCHEDULER": "scrapy_redis.scheduler.Scheduler",
                          "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
                          "SCHEDULER_PERSIST": True, "REDIS_URL": redis_url,
                          "EXTENSIONS": {"benchmarks.shared_scheduler.WaitForPeers": 0}})
    settings = crawler_settings("sample", db_path, 0, resolve(REGION), overrides)
    settings.set("USER_AGENT", f"{settings.get('USER_AGENT')} bench-worker/{name}", priority="cmdline")
    from scrapy.crawler import CrawlerProcess

    from benchmarks.memory import Sampler, status_kb

    process = CrawlerProcess(settings)
    crawler = process.create_crawler("clinic_site")
    process.crawl(crawler)
    sampler = Sampler(os.getpid())  # the extraction worker's own VmHWM (its ru_maxrss is the fork's, not its own)
    sampler.start()
    process.start()
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    extractors = [c["hwm_mb"] for c in sampler.children.values() if "resource_tracker" not in c["command"]]
    print(json.dumps({"name": name, "stats": stats, "vmhwm_mb": status_kb("self", "VmHWM") / 1024,
                      "extract_worker_peak_rss_mb": max(extractors, default=None),
                      "cpu_s": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime}), flush=True)


# The measurement ------------------------------------------------------------------------------------------
def seed_database(db_path: Path, api_base: str) -> None:
    """The region's listings, from the synthetic web's seed list, as ``clinics crawl --spider seed_list`` writes them."""
    command = [sys.executable, "-m", "clinics.cli", "crawl", "--region", REGION, "--db", str(db_path),
               "--spider", "seed_list", "--quiet"]
    done = subprocess.run(command, env={**os.environ, "CLINICS_SAMPLE_WEB": api_base}, capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"seeding failed ({done.returncode}):\n{done.stderr[-3000:]}")


def copy_db(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


def run_workers(label: str, db_path: Path, web: LoggedWeb, names: list[str], pages_per_site: int,
                redis_url: str | None) -> dict:
    """Start the workers together, wait for all; their own figures and the server's log of their requests."""
    log_start = web.log_path.stat().st_size
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "benchmarks.shared_scheduler", "worker", str(db_path),
                                   web.api_base, name, str(pages_per_site), redis_url or "-"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
                 for name in names]
    outputs = [p.communicate(timeout=900) for p in processes]
    wall = time.perf_counter() - started
    workers, warnings = [], set()
    for process, (out, err) in zip(processes, outputs, strict=True):
        if process.returncode != 0 or not out.strip():
            raise RuntimeError(f"worker failed ({process.returncode}):\n{err[-3000:]}")
        workers.append(json.loads(out.strip().splitlines()[-1]))
        warnings |= {line.strip() for line in err.splitlines() if "Warning" in line or "ERROR" in line}
    with open(web.log_path, encoding="utf-8") as log:
        log.seek(log_start)
        requests = [line.rstrip("\n").split("\t") for line in log if line.strip()]
    return {"label": label, "wall_s": wall, **fetch_report(requests, names), "db": db_report(db_path),
            "workers": [_worker_summary(w) for w in workers], "stderr_warnings_and_errors": sorted(warnings)}


def fetch_report(requests: list[list[str]], names: list[str]) -> dict:
    """Requests per worker from the server's log; URLs fetched more than once, robots.txt counted apart."""
    by_url: dict[str, list[str]] = defaultdict(list)
    robots: Counter = Counter()
    robots_per_host: dict[str, Counter] = defaultdict(Counter)
    pages: Counter = Counter()
    other: Counter = Counter()
    first = last = None
    for stamp, host, _method, path, _status, agent in requests:
        tag = WORKER_TAG.search(agent)
        if not tag or host.startswith("127.0.0.1:"):  # the API host: the seed list, not the crawl
            continue
        who = tag.group(1)
        stamp = float(stamp)
        first, last = min(first or stamp, stamp), max(last or stamp, stamp)
        if path == "/robots.txt":
            robots[who] += 1
            robots_per_host[host][who] += 1
            by_url[f"http://{host}{path}"].append(who)
        elif path.endswith(".xml"):
            other[who] += 1
            by_url[f"http://{host}{path}"].append(who)
        else:
            pages[who] += 1
            by_url[f"http://{host}{path}"].append(who)
    twice = {url: who for url, who in by_url.items() if len(who) > 1 and not url.endswith("/robots.txt")}
    robots_by_one = [n for per_worker in robots_per_host.values() for n in per_worker.values()]
    total_pages = sum(pages.values())
    serving = (last - first) if first is not None else 0.0
    return {"pages_per_worker": {n: pages[n] for n in names}, "pages": total_pages,
            "sitemaps_per_worker": {n: other[n] for n in names},
            "distinct_urls": len(by_url), "fetched_more_than_once": len(twice),
            "fetched_more_than_once_examples": dict(list(twice.items())[:10]),
            "robots_txt": {"total": sum(robots.values()), "per_worker": {n: robots[n] for n in names},
                           "hosts": len(robots_per_host), "max_by_one_worker_for_one_host": max(robots_by_one, default=0)},
            "first_to_last_request_s": serving, "pages_per_s_first_to_last": total_pages / serving if serving else 0.0}


def db_report(db_path: Path) -> dict:
    db = sqlite3.connect(db_path)
    row = db.execute("select count(*), sum(status = 200), sum(error is not null) from pages").fetchone()
    db.close()
    return {"pages_rows": row[0], "pages_200": row[1] or 0, "pages_with_error": row[2] or 0}


def _worker_summary(w: dict) -> dict:
    s = w["stats"]
    keep = ("downloader/request_count", "downloader/response_count", "item_scraped_count", "pages/parsed",
            "pages/unchanged", "pages/failed", "dupefilter/filtered", "scheduler/enqueued/redis",
            "scheduler/dequeued/redis", "scheduler/enqueued", "scheduler/dequeued", "bench/waited_for_peer",
            "bench/dropped_as_seen",
            "elapsed_time_seconds", "finish_reason", "log_count/ERROR")
    errors = {k: v for k, v in s.items() if "/errors/" in k or k.startswith("spider_exceptions")}
    return {"name": w["name"], "cpu_s": w["cpu_s"], "vmhwm_mb": w["vmhwm_mb"],
            "extract_worker_peak_rss_mb": w["extract_worker_peak_rss_mb"],
            **{k: s[k] for k in keep if k in s}, "errors": errors}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--pages-per-site", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="Build the web and databases here and keep them.")
    args = parser.parse_args(argv)
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"{error}: install the scale extra, pip install -e '.[scale]'") from None
    import scrapy

    work = args.keep or Path(tempfile.mkdtemp(prefix="clinics-shared-"))
    web_root = work / "web"
    size = generate(web_root, args.sites, args.pages_per_site)
    print(f"synthetic web: {size['sites']} sites, {size['pages']} pages, in {work}", flush=True)
    from importlib.metadata import version

    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                 "load_average_at_start": os.getloadavg()},
                     "versions": {"scrapy": scrapy.__version__, "scrapy_redis": version("scrapy-redis"),
                                  "redis_py": redis.__version__},
                     "web": size, "runs": []}
    names = [f"w{n + 1}" for n in range(args.workers)]
    with LoopbackRedis() as server, LoggedWeb(web_root, work / "access.log") as web:
        results["versions"]["redis_server"] = server.version
        seeded = work / "seeded.db"
        seed_database(seeded, web.api_base)
        client = redis.Redis.from_url(server.url)
        for label, workers, shared in (("one process, Scrapy's scheduler", ["solo"], False),
                                       ("one process, Redis scheduler", ["solo"], True),
                                       (f"{args.workers} processes, one Redis scheduler", names, True)):
            db_path = work / f"{label.split(',')[0].replace(' ', '-')}-{'redis' if shared else 'scrapy'}.db"
            copy_db(seeded, db_path)
            client.flushall()
            print(f"running: {label}", flush=True)
            run = run_workers(label, db_path, web, workers, args.pages_per_site, server.url if shared else None)
            run["redis_keys_after"] = {_text(k): _text(client.type(k)) for k in client.keys("*")} if shared else {}
            results["runs"].append(run)
        client.close()
    print(format_report(results))
    write_results("shared-scheduler", results)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return results


def format_report(r: dict) -> str:
    v = r["versions"]
    lines = ["", f"Scrapy {v['scrapy']}, scrapy-redis {v['scrapy_redis']}, redis-py {v['redis_py']}, "
                 f"redis-server {v.get('redis_server')}; spider: the project's clinic_site, unchanged; "
                 f"{r['web']['pages']} pages on {r['web']['sites']} sites"]
    solo = r["runs"][0]
    for run in r["runs"]:
        split = ", ".join(f"{k} {n}" for k, n in run["pages_per_worker"].items())
        rb = run["robots_txt"]
        rate = run["pages"] / run["wall_s"]
        lines += [
            f"\n{run['label']}:",
            f"  pages fetched: {run['pages']} ({split}); sitemaps {sum(run['sitemaps_per_worker'].values())}",
            f"  URLs fetched more than once (robots.txt aside): {run['fetched_more_than_once']}",
            f"  robots.txt: {rb['total']} fetches for {rb['hosts']} hosts "
            f"({', '.join(f'{k} {n}' for k, n in rb['per_worker'].items())}), "
            f"at most {rb['max_by_one_worker_for_one_host']} by one process for one host",
            f"  wall {run['wall_s']:.1f} s (processes started to last exit): {rate:.1f} pages/s, "
            f"{rate / (solo['pages'] / solo['wall_s']):.2f}x the first run; first to last request "
            f"{run['first_to_last_request_s']:.1f} s",
            f"  stored: {run['db']['pages_200']} pages with status 200 of {run['db']['pages_rows']} rows",
        ]
        lines += [f"  stderr: {line[:200]}" for line in run["stderr_warnings_and_errors"]]
        for w in run["workers"]:
            lines.append(f"  {w['name']}: {w.get('downloader/response_count', 0)} responses, "
                         f"{w.get('pages/parsed', 0)} parsed, "
                         f"{w.get('dupefilter/filtered', w.get('bench/dropped_as_seen', 0))} requests dropped as seen, "
                         f"CPU {w['cpu_s']:.1f} s, peak RSS {w['vmhwm_mb']:.0f} MB (extraction worker "
                         f"{w['extract_worker_peak_rss_mb'] or 0:.0f} MB), finish {w.get('finish_reason')}"
                         + (f", errors {w['errors']}" if w["errors"] else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve_logged(Path(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "worker":
        _, _, db, api, name, pages, redis_url = sys.argv
        worker(db, api, name, int(pages), None if redis_url == "-" else redis_url)
    else:
        main()
