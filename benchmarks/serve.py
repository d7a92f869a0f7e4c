"""Datasette at national scale: a synthetic database of 100,000 clinics and about a million fact rows, served
exactly as ``clinics serve`` serves it (the working database, writable by a crawl), timed over loopback HTTP.

Four pages a user loads: full-text search, the clinics table with its facets, clinics near a ZIP code,
and the comparison view. Each is requested a bounded number of times after warming up; p50 and p95 are
reported with the server's peak RSS. Then the same pages under load: eight clients at once for 30 s each, first
all asking the same question (a crowd on a popular page), then each request a question not asked before.
``python -m benchmarks.serve [--clinics N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import zipcodes

from clinics.serving import datasette_args
from db.build import write_facet_counts
from db.schema import open_db
from parsers.vocab import CONDITIONS, ROUTES

QUERIES = {
    "full-text search": "/clinics/clinics.json?_search=ptsd&_size=50",
    "ranked search (search_clinics)": "/clinics/search_clinics.json?q=ptsd",
    "facet page (clinics table)": "/clinics/clinics.json?_size=50",
    "ZIP radius (25 mi)": "/clinics/clinics_near_zip.json?zip=92618&miles=25&route=&condition=",
    "comparison view": "/clinics/clinic_comparison.json?_size=50",
    "results page (/find)": "/find?route=iv_infusion&condition=ptsd",
    "clinic page (/clinic/<id>)": "/clinic/c000000000001",
}
REQUESTS, WARMUP, SECONDS_PER_QUERY = 30, 2, 30  # at most 30 timed requests, or 30 s of them (at least 5)
# Under load: the pages a crowd opens, each asked by LOAD_CLIENTS clients at once for LOAD_SECONDS.
LOAD_CLIENTS, LOAD_SECONDS, LOAD_GOAL_P95_MS = 8, 30, 100
LOAD_QUERIES = {
    "table search with facets": "/clinics/clinics.json?_search=ptsd&_size=50",
    "facet page": "/clinics/clinics.json?_size=50",
    "ZIP radius": "/clinics/clinics_near_zip.json?zip=92618&miles=25&route=&condition=",
    "compare": "/compare?id=c000000000001&id=c000000000002",
    "ranked search": "/clinics/search_clinics.json?q=ptsd",
    "results page (/find)": "/find?route=iv_infusion&condition=ptsd",
    "clinic page": "/clinic/c000000000001",
}
# The same pages with a question no client asked before (a word and a city, a ZIP, a pair of clinics): what a
# request costs when the site has not rendered it yet (the site keeps rendered pages, see response_cache.py).
SEARCH_WORDS = ("ptsd", "depression", "anxiety", "iv", "spravato", "ocd", "pain", "bipolar", "ketamine", "im")


def distinct_queries(clinics: int) -> dict:
    cities = sorted({z["city"].title() for z in zipcodes.filter_by(state="CA") if z.get("active")})
    zips = [z["zip_code"] for z in zipcodes.filter_by(state="CA") if z.get("lat") and z.get("active")]
    ids = lambda rng: f"c{rng.randrange(clinics):012x}"  # noqa: E731
    words = lambda rng: f"{rng.choice(SEARCH_WORDS)}+{rng.choice(cities).split()[0].lower()}"  # noqa: E731
    return {
        "table search with facets": lambda rng: f"/clinics/clinics.json?_search={words(rng)}&_size=50",
        "facet page": lambda rng: f"/clinics/clinics.json?_size=50&city={rng.choice(cities).replace(' ', '+')}",
        "ZIP radius": lambda rng: f"/clinics/clinics_near_zip.json?zip={rng.choice(zips)}"
                                  f"&miles={rng.choice((5, 10, 25, 50))}&route=&condition=",
        "compare": lambda rng: f"/compare?id={ids(rng)}&id={ids(rng)}",
        "ranked search": lambda rng: f"/clinics/search_clinics.json?q={words(rng)}",
        "results page (/find)": lambda rng: f"/find?zip={rng.choice(zips)}&miles={rng.choice((10, 25, 50))}"
                                            f"&condition={rng.choice(('ptsd', 'depression', 'anxiety', 'chronic_pain'))}",
        "clinic page": lambda rng: f"/clinic/{ids(rng)}",
    }


def build(db_path: Path, clinics: int, seed: int = 5) -> dict:
    """Write the synthetic database in batches; returns row counts."""
    rng = random.Random(seed)
    places = [z for z in zipcodes.filter_by(state="CA") if z.get("lat") and z.get("active")]
    db = open_db(str(db_path))
    routes, conditions = [t.key for t in ROUTES], [t for t in CONDITIONS]
    batch: dict[str, list] = {t: [] for t in ("clinics", "clinic_routes", "clinic_conditions", "clinic_payment",
                                              "prices")}
    counts = dict.fromkeys(batch, 0)

    def flush() -> None:
        for table, rows in batch.items():
            if rows:
                db[table].insert_all(rows, batch_size=2000)
                counts[table] += len(rows)
                rows.clear()

    for n in range(clinics):
        place = rng.choice(places)
        clinic_id = f"c{n:012x}"
        offered = rng.sample(routes, rng.randint(1, 3))
        treated = rng.sample(conditions, rng.randint(3, 8))
        iv_price = rng.choice((350, 400, 450, 495, 550, 600))
        batch["clinics"].append({
            "id": clinic_id, "name": f"{rng.choice(('Pacific', 'Summit', 'Harbor', 'Valley'))} Ketamine {n}",
            "city": place["city"].title(), "state": "CA", "zip": place["zip_code"], "county": place["county"],
            "latitude": float(place["lat"]) + rng.uniform(-0.02, 0.02),
            "longitude": float(place["long"]) + rng.uniform(-0.02, 0.02), "geo_precision": "source",
            "status": "active", "routes": json.dumps(sorted(offered)), "conditions": json.dumps(sorted(
                t.key for t in treated)), "condition_families": json.dumps(sorted({t.parent or t.key for t in treated})),
            "accepts_insurance": rng.choice((0, 1, None)), "spravato_covered": rng.choice((0, 1, None)),
            "lowest_iv_price_usd": iv_price if "iv_infusion" in offered else None,
            "lowest_price_per_session_usd": iv_price, "region": "California",
            "search_text": " ".join([*offered, *(t.label for t in treated)]),
        })
        for route in offered:
            batch["clinic_routes"].append({"clinic_id": clinic_id, "route": route, "value": 1,
                                           "evidence": f"We offer {route}.", "source_url": "https://x.example/"})
        for term in treated:
            batch["clinic_conditions"].append({"clinic_id": clinic_id, "condition": term.key,
                                               "condition_family": term.parent or term.key, "value": 1,
                                               "evidence": f"We treat {term.label}.",
                                               "source_url": "https://x.example/"})
        for key in ("accepts_insurance", "hsa_fsa"):
            batch["clinic_payment"].append({"clinic_id": clinic_id, "key": key, "detail": "", "value": 1,
                                            "evidence": "We accept HSA.", "source_url": "https://x.example/"})
        batch["prices"].append({"id": f"p{n:012x}", "clinic_id": clinic_id, "amount_usd": iv_price,
                                "unit": "per_session", "per_session_usd": iv_price, "route": "iv_infusion",
                                "evidence": f"${iv_price} per infusion", "source_url": "https://x.example/"})
        if len(batch["clinic_conditions"]) >= 20_000:
            flush()
    flush()
    write_facet_counts(db)  # as every build does
    db.execute("analyze")
    db.close()
    return counts


def measure(db_path: Path) -> dict:
    port = _free_port()
    args = datasette_args(str(db_path), port)  # exactly as `clinics serve` serves the working database
    server = subprocess.Popen([sys.executable, "-m", "datasette", *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    results: dict = {}
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base)
        with httpx.Client(base_url=base, timeout=60) as client:
            for label, path in QUERIES.items():
                times: list[float] = []
                spent = 0.0
                for i in range(WARMUP + REQUESTS):
                    if len(times) >= 5 and spent > SECONDS_PER_QUERY:
                        break
                    started = time.perf_counter()  # a parameter Datasette ignores: each request is rendered
                    response = client.get(f"{path}{'&' if '?' in path else '?'}_bench={i}")
                    elapsed = 1000 * (time.perf_counter() - started)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
                    if i >= WARMUP:
                        times.append(elapsed)
                        spent += elapsed / 1000
                results[label] = {"p50_ms": statistics.median(times),
                                  "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)], "requests": len(times)}
        results["load"] = {label: under_load(base, path) for label, path in LOAD_QUERIES.items()}
        results["load_distinct"] = {label: under_load(base, paths) for label, paths in distinct_queries(
            clinics_in(db_path)).items()}
        results["peak_rss_mb"] = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results


def clinics_in(db_path: Path) -> int:
    db = open_db(str(db_path))
    try:
        return db["clinics"].count
    finally:
        db.close()


def under_load(base: str, path, clients: int = LOAD_CLIENTS, seconds: float = LOAD_SECONDS) -> dict:
    """``clients`` threads asking for ``path`` (a URL, or a function of a random generator giving one per
    request) back to back for ``seconds``: latencies and failed answers."""
    import threading

    times: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < deadline:
                url = path(rng) if callable(path) else path
                started = time.perf_counter()
                try:
                    ok = http.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                times.append(1000 * (time.perf_counter() - started))
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(times)
    return {"p50_ms": statistics.median(ordered), "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
            "requests": len(ordered), "errors": errors[0]}


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait(base: str) -> None:
    for _ in range(200):
        try:
            httpx.get(base + "/-/versions.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("datasette did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=100_000)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="clinics-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "clinics.db"
    started = time.perf_counter()
    counts = build(db_path, args.clinics) if not db_path.exists() else {}
    built_s = time.perf_counter() - started
    results = {"rows": counts, "build_s": built_s, **measure(db_path)}
    for label in QUERIES:
        r = results[label]
        print(f"{'serve, ' + label:40} p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms (target p95 < 50)")
    for label, r in results["load"].items():
        print(f"{f'{LOAD_CLIENTS} clients, ' + label:40} p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms "
              f"(target p95 < {LOAD_GOAL_P95_MS}), {r['requests']} requests, {r['errors']} errors")
    for label, r in results["load_distinct"].items():
        print(f"{f'{LOAD_CLIENTS} clients, new questions, ' + label:58} p50 {r['p50_ms']:8.1f} ms  "
              f"p95 {r['p95_ms']:8.1f} ms "
              f"(not rendered before: no goal), {r['requests']} requests, {r['errors']} errors")
    print(f"{'serve, peak RSS':40} {results['peak_rss_mb']:8.0f} MB ({sum(counts.values()) or '?'} rows)")
    results["publish"] = measure_publish(db_path, work / "published")
    p = results["publish"]
    print(f"{'clinics publish':40} {p['seconds']:8.1f} s  {p['megabytes']:8.1f} MB copy "
          f"(working file {p['source_megabytes']:.1f} MB), peak RSS {p['peak_rss_mb']:.0f} MB")
    return results


def measure_publish(db_path: Path, out: Path) -> dict:
    """`clinics publish` of the benchmark database in a process of its own: wall time, the copy's size, and the peak
    RSS of that process and of the `datasette inspect` it runs."""
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    script = ("import json, resource, sys; from clinics.published_copy import publish; publish(sys.argv[1], sys.argv[2]); "
              "print(max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, str(db_path), str(out)], check=True, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - started
    build = json.loads((out / "current" / "build.json").read_text())
    return {"seconds": seconds, "megabytes": build["bytes"] / 1e6, "source_megabytes": db_path.stat().st_size / 1e6,
            "peak_rss_mb": int(done.stdout.split()[-1]) / 1024}


if __name__ == "__main__":
    main()
