"""The crawl spread over workers, as a user runs it: `clinics crawl --queue` and `clinics worker` processes on a
loopback redis-server, over a synthetic web of 10,000 pages, against the same crawl in one process. Pages per
second, and how many URLs the server saw asked for more than once (from its own request log). Then a projection,
from the measured rates, of a national crawl on one machine and on four.

    python -m benchmarks.workers [--sites 500] [--pages-per-site 20] [--registry-rows-per-s N]

Needs redis-server on PATH (Debian: apt-get install redis-server). Nothing but loopback is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.results_file import write_results
from benchmarks.shared_scheduler import LoggedWeb, LoopbackRedis, copy_db, seed_database
from benchmarks.synthetic_web import generate

ROOT = Path(__file__).resolve().parent.parent
REGION = "Orange County, CA"
CLINICS = str(Path(sys.executable).parent / "clinics")
NATIONAL_SITES, PAGES_PER_SITE = 3000, 20
NATIONAL_REGISTRY_ROWS = 9_000_000  # a monthly file (about 8.9 million rows, deactivated ones included)


def crawl(db_path: Path, web: LoggedWeb, pages_per_site: int, workers: int, redis_url: str | None) -> dict:
    """One crawl of the seeded database's sites, in one process (``workers`` 0) or through the queue."""
    log_start = web.log_path.stat().st_size
    env = {**os.environ, "CLINICS_SAMPLE_WEB": web.api_base}
    command = [CLINICS, "crawl", "--region", REGION, "--db", str(db_path), "--spider", "clinic_site", "--quiet",
               "--set", f"CLINIC_SITE_MAX_PAGES={pages_per_site}"]
    if workers:
        command += ["--queue", redis_url]
    started = time.perf_counter()
    coordinator = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    helpers = [subprocess.Popen([CLINICS, "worker", redis_url, "--wait", "120"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(workers)]
    out, err = coordinator.communicate(timeout=3600)
    said = [h.communicate(timeout=300) for h in helpers]
    wall = time.perf_counter() - started
    if coordinator.returncode not in (0, 1):
        raise RuntimeError(f"crawl failed ({coordinator.returncode}):\n{err[-3000:]}")
    for helper, (_, helper_err) in zip(helpers, said, strict=True):
        if helper.returncode != 0:
            raise RuntimeError(f"worker failed ({helper.returncode}):\n{helper_err[-3000:]}")
    with open(web.log_path, encoding="utf-8") as log:
        log.seek(log_start)
        asked = Counter(f"{line.split(chr(9))[1]}{line.split(chr(9))[3]}" for line in log
                        if line.strip() and not line.split("\t")[1].startswith("127.0.0.1:"))
    pages = sum(n for url, n in asked.items() if not url.endswith(("/robots.txt", ".xml")))
    twice = sum(1 for url, n in asked.items() if n > 1 and not url.endswith("/robots.txt"))
    run = json.loads(sqlite3.connect(db_path).execute("select stats from crawl_runs order by id desc").fetchone()[0])
    return {"workers": workers, "wall_s": round(wall, 1), "pages_fetched": pages, "pages_per_s": round(pages / wall, 1),
            "urls_asked_more_than_once": twice,
            "per_worker_responses": [int(o.split(": ", 1)[1].split(" responses")[0]) for o, _ in said if ": " in o],
            "coordinator_cpu_s": run.get("process/cpu_seconds"),
            "pages_parsed": run.get("clinic_site/pages/parsed", 0)}


def projection(runs: list[dict], registry_rows_per_s: float | None, settings) -> dict:
    """A national crawl (3,000 sites of 20 pages, and the registry's monthly file) from the measured rates: bound
    by CPU, as measured here on loopback, and bound by politeness on the real web (each site's requests one
    AUTOTHROTTLE_START_DELAY apart, SITE_QUEUE_BATCH sites at a time per worker)."""
    pages = NATIONAL_SITES * PAGES_PER_SITE
    one_worker = next(r for r in runs if r["workers"] == 1)
    coordinator_ms = 1000 * one_worker["coordinator_cpu_s"] / max(1, one_worker["pages_fetched"])
    per_worker_rate = one_worker["pages_per_s"]
    registry_s = NATIONAL_REGISTRY_ROWS / registry_rows_per_s if registry_rows_per_s else None
    delay = settings.getfloat("AUTOTHROTTLE_START_DELAY")
    batch = settings.getint("SITE_QUEUE_BATCH")
    polite_rate = batch / delay  # pages a second one worker asks for, each site at its own pace
    out = {"pages": pages, "registry_load_s": round(registry_s) if registry_s else None,
           "coordinator_cpu_ms_per_page": round(coordinator_ms, 2),
           "coordinator_most_pages_per_s": round(1000 / coordinator_ms, 1) if coordinator_ms else None,
           "polite_pages_per_s_per_worker": round(polite_rate, 1)}
    for machines in (1, 4):
        cpu_rate = min(per_worker_rate * machines, out["coordinator_most_pages_per_s"] or float("inf"))
        out[f"machines_{machines}"] = {
            "cpu_bound_hours": round(pages / cpu_rate / 3600, 2),
            "polite_bound_hours": round(pages / min(polite_rate * machines, cpu_rate) / 3600, 2),
        }
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--pages-per-site", type=int, default=20)
    parser.add_argument("--registry-rows-per-s", type=float, help="`npi load`'s rate (benchmarks/npi_load.py)")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="clinics-workers-"))
    size = generate(work / "web", args.sites, args.pages_per_site)
    print(f"synthetic web: {size['sites']} sites, {size['pages']} pages", flush=True)
    results: dict = {"machine": {"cpus": os.cpu_count()}, "web": size, "runs": []}
    with LoopbackRedis() as server, LoggedWeb(work / "web", work / "access.log") as web:
        seeded = work / "seeded.db"
        seed_database(seeded, web.api_base)
        for workers in (0, 1, 2):
            db_path = work / f"workers-{workers}.db"
            copy_db(seeded, db_path)
            print(f"crawling with {workers or 'no'} worker(s)...", flush=True)
            run = crawl(db_path, web, args.pages_per_site, workers, server.url)
            results["runs"].append(run)
            print(f"  {run['pages_fetched']:,} pages in {run['wall_s']} s = {run['pages_per_s']} pages/s; URLs asked "
                  f"more than once: {run['urls_asked_more_than_once']}; per worker {run['per_worker_responses']}",
                  flush=True)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.utils.project import get_project_settings

    results["national"] = national = projection(results["runs"], args.registry_rows_per_s, get_project_settings())
    print(f"\nnational crawl ({national['pages']:,} pages of {NATIONAL_SITES:,} sites"
          + (f", and the registry's monthly file in {national['registry_load_s']:,} s" if national["registry_load_s"]
             else "") + "):")
    print(f"  the coordinator writes at most {national['coordinator_most_pages_per_s']} pages/s "
          f"({national['coordinator_cpu_ms_per_page']} CPU ms a page)")
    for machines in (1, 4):
        m = national[f"machines_{machines}"]
        print(f"  {machines} machine(s): {m['cpu_bound_hours']} h bound by CPU (loopback), {m['polite_bound_hours']} h "
              f"at the real web's polite pace ({national['polite_pages_per_s_per_worker']} pages/s a worker)")
    write_results("workers", results)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
