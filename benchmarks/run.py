"""``make bench``: crawl a synthetic web of WordPress-sized clinic pages and print what each stage costs.

Every figure comes from the same run on this machine: the full pipeline (fetch, parse, extract, store)
beside Scrapy's do-nothing ceiling over the same URLs, the extractor beside a bare lxml parse of the same
pages, an unchanged re-crawl and a 5%-changed re-crawl as ratios of the first, ``clinics reparse``, and
Datasette's p50/p95 on a synthetic national-scale database (benchmarks/serve.py).
The table is printed and written as JSON to ``benchmarks/results/`` so a later run can be compared.

    python -m benchmarks.run [--sites 100] [--pages-per-site 20] [--keep DIR] [--serve-clinics 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.results_file import write_results
from benchmarks.synthetic_web import PUBLISHED, generate

ROOT = Path(__file__).resolve().parent.parent
CLINICS = [sys.executable, "-m", "clinics.cli"]


def children_usage() -> tuple[float, int]:
    """CPU seconds (user + system) of every finished child so far, and the largest child's peak RSS in KB."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def timed_child(command: list[str], env: dict | None = None) -> dict:
    cpu_before, _ = children_usage()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    cpu_after, peak_kb = children_usage()
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return {"wall_s": wall, "cpu_s": cpu_after - cpu_before, "peak_rss_mb_so_far": peak_kb / 1024,
            "stdout": done.stdout}


def last_run(db_path: Path) -> dict:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("select * from crawl_runs order by id desc limit 1").fetchone())
    db.close()
    stats = json.loads(row["stats"] or "{}")
    row["elapsed_s"] = stats.get("clinic_site/elapsed_time_seconds")
    return row


def crawl(db_path: Path, api_base: str, pages_per_site: int, *settings: str) -> dict:
    env = {**os.environ, "CLINICS_SAMPLE_WEB": api_base}
    command = [*CLINICS, "crawl", "--region", "Orange County, CA", "--db", str(db_path), "--spider", "seed_list",
               "--spider", "clinic_site", "--set", f"CLINIC_SITE_MAX_PAGES={pages_per_site}", "--quiet",
               *(arg for setting in settings for arg in ("--set", setting))]
    figures = timed_child(command, env)
    run = last_run(db_path)
    pages = run["pages_fetched"] or 0
    stats = json.loads(run["stats"] or "{}")
    own_cpu = stats.get("process/cpu_seconds")
    return {**figures, "requests": run["requests"], "bytes": run["bytes_received"], "pages": pages,
            "process_cpu_ms_per_page": 1000 * own_cpu / pages if own_cpu is not None and pages else None,
            "pages_parsed": run["pages_changed"], "pages_not_modified": run["pages_not_modified"],
            "pages_not_requested": run["pages_not_requested"],
            "pages_per_s": pages / figures["wall_s"] if figures["wall_s"] else 0.0,
            "cpu_ms_per_page": 1000 * figures["cpu_s"] / pages if pages else None}


def ceiling(db_path: Path, work: Path) -> dict:
    urls = work / "urls.txt"
    db = sqlite3.connect(db_path)
    urls.write_text("\n".join(r[0] for r in db.execute("select url from pages where status = 200")))
    db.close()
    figures = timed_child([sys.executable, "-m", "benchmarks.ceiling", str(urls)])
    result = json.loads(figures.pop("stdout").strip().splitlines()[-1])
    pages = result["responses"]
    return {**figures, "pages": pages, "pages_per_s": pages / figures["wall_s"],
            "cpu_ms_per_page": 1000 * figures["cpu_s"] / pages if pages else None}


def parse_costs(db_path: Path, sample: int = 200) -> dict:
    """ms per page: the whole extractor, and a bare lxml parse of the same bytes (the floor)."""
    import zlib

    import lxml.html

    from parsers.extract import extract_page

    db = sqlite3.connect(db_path)
    bodies = [zlib.decompress(r[0]) for r in db.execute("select body from pages where body is not null limit ?",
                                                         [sample])]
    db.close()
    extract_ms, lxml_ms = [], []
    for body in bodies:
        started = time.perf_counter()
        lxml.html.fromstring(body)
        lxml_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        extract_page(body, url="http://bench.example/")
        extract_ms.append(1000 * (time.perf_counter() - started))
    return {"pages": len(bodies), "mean_kb": statistics.mean(len(b) for b in bodies) / 1024,
            "extract_ms_mean": statistics.mean(extract_ms), "extract_ms_p95": _p95(extract_ms),
            "lxml_ms_mean": statistics.mean(lxml_ms), "lxml_ms_p95": _p95(lxml_ms)}


def store_rate(db_path: Path) -> dict:
    """rows/s for writing facts: every fact row of every clinic deleted, then rebuilt from the stored pages."""
    import sqlite_utils

    from core.regions import resolve
    from db.build import RunContext, build_clinics

    region = resolve("Orange County, CA")
    db = sqlite_utils.Database(db_path)
    tables = ("clinic_routes", "clinic_services", "clinic_conditions", "clinic_payment", "prices")
    with db.conn:
        for table in tables:
            db.execute(f"delete from {table}")
    started = time.perf_counter()
    build_clinics(db, RunContext(run_id=None, region_name=region.name, region_zips=set(region.zips), confirms=False))
    elapsed = time.perf_counter() - started
    rows = sum(db[table].count for table in tables)
    db.close()
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed if elapsed else 0.0}


def change_pages(web_root: Path, share: float, seed: int = 11) -> int:
    """Edit the text of a share of the pages (a new price sentence) and their sitemap <lastmod>, as a CMS would."""
    files = sorted((web_root / "sites").rglob("index.html"))
    chosen = random.Random(seed).sample(files, max(1, int(len(files) * share)))
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for file in chosen:
        html = file.read_text(encoding="utf-8")
        file.write_text(html.replace("</article>", "<p>New this month: a single infusion is $425.</p></article>", 1),
                        encoding="utf-8")
        site = next(parent for parent in file.parents if parent.parent.name == "sites")
        page = file.parent.relative_to(site).as_posix()
        loc = f"<loc>{{{{base}}}}/{'' if page == '.' else page + '/'}</loc><lastmod>{PUBLISHED}</lastmod>"
        sitemap = site / "sitemap.xml"
        sitemap.write_text(sitemap.read_text().replace(loc, loc.replace(PUBLISHED, now)))
    return len(chosen)


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--pages-per-site", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="Build the web and database here and keep them.")
    parser.add_argument("--serve-clinics", type=int, default=100_000,
                        help="Clinics in the synthetic database Datasette is timed on (0 skips it).")
    args = parser.parse_args(argv)
    from sample_web.server import RunningSampleWeb

    work = args.keep or Path(tempfile.mkdtemp(prefix="clinics-bench-"))
    web_root, db_path = work / "web", work / "bench.db"
    size = generate(web_root, args.sites, args.pages_per_site)
    print(f"synthetic web: {size['sites']} sites, {size['pages']} pages, {size['bytes'] / size['pages'] / 1024:.0f} KB "
          f"per page on average, in {work}", flush=True)
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "web": size}
    with RunningSampleWeb(web_root) as web:
        results["crawl"] = crawl(db_path, web.api_base, args.pages_per_site)
        results["ceiling"] = ceiling(db_path, work)
        results["recrawl_unchanged"] = crawl(db_path, web.api_base, args.pages_per_site)
        # the weekly re-crawl, when the sitemap's word has lapsed and every page is asked (a 304 each)
        results["recrawl_unchanged_all_asked"] = crawl(db_path, web.api_base, args.pages_per_site,
                                                       "CLINIC_SITE_SITEMAP_TRUST_DAYS=0")
        results["changed_pages"] = change_pages(web_root, 0.05)
        results["recrawl_5pct_changed"] = crawl(db_path, web.api_base, args.pages_per_site)
    results["parse"] = parse_costs(db_path)
    from benchmarks import hostile

    results["hostile_s"] = hostile.main()
    reparse = timed_child([*CLINICS, "reparse", "--db", str(db_path)])
    pages = json.loads(last_run(db_path)["stats"] or "{}").get("reparse/pages", 0)
    results["reparse"] = {"wall_s": reparse["wall_s"], "cpu_s": reparse["cpu_s"], "pages": pages,
                          "pages_per_s": pages / reparse["wall_s"] if reparse["wall_s"] else 0.0}
    results["store"] = store_rate(db_path)
    for key in ("crawl", "ceiling", "recrawl_unchanged", "recrawl_unchanged_all_asked", "recrawl_5pct_changed"):
        results[key].pop("stdout", None)
    print(format_table(results))
    if args.serve_clinics:
        from benchmarks import serve

        print(f"\nDatasette over {args.serve_clinics:,} synthetic clinics (building the database first):", flush=True)
        results["serve"] = serve.main(["--clinics", str(args.serve_clinics), "--keep", str(work / "serve")])
    write_results("bench", results)
    return results


def format_table(r: dict) -> str:
    first = r["crawl"]
    ratio = lambda run, key: run[key] / first[key] if first[key] else float("nan")  # noqa: E731
    lines = [
        "",
        f"{'stage':32} {'figure':>44}",
        f"{'crawl, full pipeline':32} {first['pages_per_s']:8.1f} pages/s {first['cpu_ms_per_page']:7.1f} CPU ms/page "
        f"({first['pages']} pages, {first['wall_s']:.1f} s)",
        f"{'crawl, do-nothing ceiling':32} {r['ceiling']['pages_per_s']:8.1f} pages/s "
        f"{r['ceiling']['cpu_ms_per_page']:7.1f} CPU ms/page ({r['ceiling']['pages']} pages)",
        f"{'  pipeline / ceiling':32} {first['pages_per_s'] / r['ceiling']['pages_per_s']:8.2f}  (goal >= 0.60)",
        f"{'  crawl process, not extraction':32} {_or_nan(first.get('process_cpu_ms_per_page')):8.1f} CPU ms/page "
        f"(goal <= 6; the ceiling's own: {r['ceiling']['cpu_ms_per_page']:.1f})",
        f"{'parse, extractor':32} {r['parse']['extract_ms_mean']:8.1f} ms/page mean, "
        f"{r['parse']['extract_ms_p95']:.1f} p95 ({r['parse']['mean_kb']:.0f} KB pages; goal <= 6 mean, 10 p95)",
        f"{'parse, bare lxml (floor)':32} {r['parse']['lxml_ms_mean']:8.1f} ms/page mean, "
        f"{r['parse']['lxml_ms_p95']:.1f} p95",
    ]
    if r.get("hostile_s"):
        slowest = max(r["hostile_s"], key=r["hostile_s"].get)
        lines.append(f"{'parse, hostile 1 MB pages':32} {r['hostile_s'][slowest]:8.2f} s slowest ({slowest}; "
                     f"EXTRACT_TIME_LIMIT 10 s)")
    for key, label, target in (("recrawl_unchanged", "re-crawl, unchanged", 0.15),
                               ("recrawl_unchanged_all_asked", "  every page asked (weekly)", 0.10),
                               ("recrawl_5pct_changed", "re-crawl, 5% of pages changed", 0.25)):
        run = r[key]
        lines.append(f"{label:32} CPU {ratio(run, 'cpu_s'):.2f}x (goal <= {target:.2f}), requests "
                     f"{ratio(run, 'requests'):.2f}x, bytes {ratio(run, 'bytes'):.2f}x, parsed {run['pages_parsed']}, "
                     f"304 {run['pages_not_modified']}, not asked {run['pages_not_requested']} (of "
                     f"{run['pages_parsed'] + run['pages_not_modified'] + run['pages_not_requested']})")
    lines += [
        f"{'reparse':32} {r['reparse']['pages_per_s']:8.1f} pages/s ({r['reparse']['pages']} stored pages; goal >= 250)",
        f"{'store (build, all facts rewritten)':32} {r['store']['rows_per_s']:8.0f} rows/s ({r['store']['rows']} rows, "
        f"merge of each site's pages included)",
        f"{'peak RSS, crawl':32} {first['peak_rss_mb_so_far']:8.0f} MB (largest child process)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
