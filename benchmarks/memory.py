"""Peak memory of a large crawl: the crawl process and its extraction worker, each measured on its own.

``make bench`` reports the largest child's peak RSS, which mixes the crawl process with the extraction
worker it starts. Here the same crawl (``clinics crawl`` with the seed list and ``clinic_site``, the full
pipeline) runs over a synthetic web of 10,000 pages by default, and:

- the crawl process reports its own ``VmHWM`` (peak RSS) and the largest ``ru_maxrss`` of its finished
  children (the extraction worker) when it exits;
- this process samples ``VmRSS`` of the crawl and of each of its children every half second, so the
  peak can be placed: start-up, during the crawl, or in the build of clinics after it;
- a separate process imports what the crawl imports, step by step, and loads the ZIP gazetteer, so the
  part of the peak that is paid before the first page is known.

    python -m benchmarks.memory [--sites 500] [--pages-per-site 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.results_file import write_results
from benchmarks.synthetic_web import generate

ROOT = Path(__file__).resolve().parent.parent
REGION = "Orange County, CA"
TARGET_MB = 300


def status_kb(pid: int | str, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def children_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:160]
    except (FileNotFoundError, ProcessLookupError):
        return ""


# Inside the crawl process ---------------------------------------------------------------------------------
def crawl_child(out_path: str, args: list[str]) -> None:
    """Run ``clinics`` with ``args`` in this process; at exit, write its own peak RSS and its children's."""
    def report() -> None:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        Path(out_path).write_text(json.dumps({
            "crawl_vmhwm_mb": status_kb("self", "VmHWM") / 1024,
            "children_max_rss_mb": children.ru_maxrss / 1024,
            "cpu_s": own.ru_utime + own.ru_stime, "children_cpu_s": children.ru_utime + children.ru_stime}))

    atexit.register(report)
    # Run clinics.cli as __main__, exactly as ``python -m clinics.cli`` does: the extraction worker is started
    # with the spawn method, which imports the parent's main module, so the worker measured is the real one.
    import runpy

    sys.argv = ["clinics", *args]
    runpy.run_module("clinics.cli", run_name="__main__", alter_sys=True)


# Start-up cost, step by step --------------------------------------------------------------------------------
def import_steps() -> None:
    """RSS after each thing the crawl process loads before its first page (one JSON line)."""
    steps = [("python", lambda: None),
             ("scrapy + twisted", lambda: __import__("scrapy.crawler")),
             ("lxml.html", lambda: __import__("lxml.html")),
             ("clinics.cli, crawlers, db", lambda: [__import__(m) for m in (
                 "clinics.cli", "clinics.crawl", "crawlers.pipelines", "crawlers.middlewares",
                 "crawlers.spiders.clinic_site", "crawlers.spiders.seed_list", "db.build")]),
             ("parsers.extract", lambda: __import__("parsers.extract")),
             ("region resolved (ZIP gazetteer, every county)", _resolve_region)]
    out = []
    for label, step in steps:
        step()
        out.append({"step": label, "rss_mb": status_kb("self", "VmRSS") / 1024})
    print(json.dumps(out))


def _resolve_region() -> None:
    from core.regions import resolve

    resolve(REGION)


def gazetteer_detail() -> dict:
    """What the gazetteer's county index holds: its records, and their size as Python objects."""
    code = ("import json, sys, tracemalloc; tracemalloc.start(); from core.regions import _counties; "
            "index = _counties(); size, peak = tracemalloc.get_traced_memory(); "
            "print(json.dumps({'records': sum(len(v) for v in index.values()), 'counties': len(index), "
            "'traced_mb': size / 2**20, 'traced_peak_mb': peak / 2**20}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# The measurement ------------------------------------------------------------------------------------------
class Sampler(threading.Thread):
    """VmRSS of a process and of each of its children, every ``interval`` seconds, until it exits."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[dict] = []
        self.children: dict[int, dict] = {}
        self.started = time.perf_counter()

    def run(self) -> None:
        while True:
            rss = status_kb(self.pid, "VmRSS")
            if rss is None:
                return
            sample = {"t": round(time.perf_counter() - self.started, 2), "crawl_mb": round(rss / 1024, 1)}
            for child in children_of(self.pid):
                child_rss, child_hwm = status_kb(child, "VmRSS"), status_kb(child, "VmHWM")
                if child_rss is None:
                    continue
                seen = self.children.setdefault(child, {"pid": child, "command": process_name(child),
                                                        "first_t": sample["t"], "hwm_mb": 0.0})
                seen["last_t"] = sample["t"]
                seen["hwm_mb"] = max(seen["hwm_mb"], (child_hwm or 0) / 1024)
                sample[f"child_{child}_mb"] = round(child_rss / 1024, 1)
            self.samples.append(sample)
            time.sleep(self.interval)


def crawl(db_path: Path, api_base: str, pages_per_site: int, work: Path) -> dict:
    out = work / "crawl-memory.json"
    args = ["crawl", "--region", REGION, "--db", str(db_path), "--spider", "seed_list", "--spider", "clinic_site",
            "--set", f"CLINIC_SITE_MAX_PAGES={pages_per_site}", "--quiet"]
    env = {**os.environ, "CLINICS_SAMPLE_WEB": api_base}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.memory", "crawl-child", str(out), *args], env=env,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate(timeout=1800)
    wall = time.perf_counter() - started
    sampler.join(timeout=5)
    if process.returncode not in (0, 1) or not out.exists():
        raise RuntimeError(f"crawl failed ({process.returncode}):\n{stderr[-3000:]}")
    figures = json.loads(out.read_text())
    import sqlite3

    db = sqlite3.connect(db_path)
    run = dict(zip(("pages_fetched", "pages_changed", "requests", "clinics", "facts", "stats"), db.execute(
        "select pages_fetched, pages_changed, requests, clinics, facts, stats from crawl_runs order by id desc limit 1"
    ).fetchone(), strict=True))
    db.close()
    stats = json.loads(run.pop("stats") or "{}")
    samples = sampler.samples
    workers = [c for c in sampler.children.values() if "multiprocessing" in c["command"] and "resource_tracker"
               not in c["command"]]
    crawl_end = max((c["last_t"] for c in workers), default=None)  # the pool is shut down when the spider closes
    during = [s["crawl_mb"] for s in samples if crawl_end is None or s["t"] <= crawl_end]
    after = [s["crawl_mb"] for s in samples if crawl_end is not None and s["t"] > crawl_end]
    first_page = next((c["first_t"] for c in workers), None)
    before_pages = [s["crawl_mb"] for s in samples if first_page is not None and s["t"] <= first_page]
    return {**figures, **run, "wall_s": wall, "pages_per_s": run["pages_fetched"] / wall,
            "elapsed_clinic_site_s": stats.get("clinic_site/elapsed_time_seconds"),
            "crawl_rss_mb": {"before_first_page_to_parse": max(before_pages, default=None),
                             "peak_sampled_during_crawl": max(during, default=None),
                             "at_crawl_end": during[-1] if during else None,
                             "peak_sampled_in_build": max(after, default=None)},
            "extract_workers": workers,
            "other_children": [c for c in sampler.children.values() if c not in workers],
            "timeline": samples[:: max(1, len(samples) // 200)]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--pages-per-site", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="Build the web and database here and keep them (a kept web of the "
                        "same size is reused).")
    args = parser.parse_args(argv)
    from sample_web.server import RunningSampleWeb

    work = args.keep or Path(tempfile.mkdtemp(prefix="clinics-memory-"))
    web_root, db_path = work / "web", work / "bench.db"
    if (web_root / "sites.json").exists() and len(json.loads((web_root / "sites.json").read_text())) == args.sites:
        size = json.loads((work / "web-size.json").read_text())
    else:
        size = generate(web_root, args.sites, args.pages_per_site)
        (work / "web-size.json").write_text(json.dumps(size))
    db_path.unlink(missing_ok=True)
    print(f"synthetic web: {size['sites']} sites, {size['pages']} pages, {size['bytes'] / 2**20:.0f} MB, in {work}",
          flush=True)
    steps = subprocess.run([sys.executable, "-m", "benchmarks.memory", "import-steps"], capture_output=True,
                           text=True, cwd=ROOT, check=True)
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                 "load_average_at_start": os.getloadavg()}, "web": size,
                     "start_up": json.loads(steps.stdout.strip().splitlines()[-1]),
                     "gazetteer": gazetteer_detail()}
    with RunningSampleWeb(web_root) as web:
        results["crawl"] = crawl(db_path, web.api_base, args.pages_per_site, work)
    print(format_report(results))
    write_results("memory", results)
    return results


def format_report(r: dict) -> str:
    c = r["crawl"]
    rss = c["crawl_rss_mb"]
    lines = ["",
             f"crawl of {c['pages_fetched']} pages ({c['pages_changed']} parsed, {c['requests']} requests) "
                 f"in {c['wall_s']:.0f} s: {c['pages_per_s']:.1f} pages/s; built {c['clinics']} clinics, {c['facts']} facts",
             f"peak RSS, crawl process (VmHWM): {c['crawl_vmhwm_mb']:.0f} MB (target < {TARGET_MB} MB)",
             "peak RSS, extraction worker (VmHWM, sampled): " + ", ".join(
                 f"{w['hwm_mb']:.0f} MB (alive {w['first_t']:.0f}-{w['last_t']:.0f} s)" for w in c["extract_workers"]),
             f"  (ru_maxrss of the crawl's children says {c['children_max_rss_mb']:.0f} MB: a spawned worker is forked "
             f"from the crawl process before it execs, and Linux keeps that fork's RSS as the child's maxrss)"]
    lines.append(f"crawl process RSS (sampled): {rss['before_first_page_to_parse']} MB before the first page, "
                 f"{rss['peak_sampled_during_crawl']} MB peak while crawling, {rss['at_crawl_end']} MB at the end of "
                 f"the crawl, {rss['peak_sampled_in_build']} MB peak in the build of clinics")
    lines.append("start-up, RSS after each step in a fresh process:")
    lines += [f"  {s['step']:48} {s['rss_mb']:6.0f} MB" for s in r["start_up"]]
    g = r["gazetteer"]
    lines.append(f"ZIP gazetteer county index: {g['records']} ZIP records in {g['counties']} counties, "
                 f"{g['traced_mb']:.0f} MB of Python objects (tracemalloc)")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "crawl-child":
        crawl_child(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) > 1 and sys.argv[1] == "import-steps":
        import_steps()
    else:
        main()
