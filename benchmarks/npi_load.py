"""`clinics npi load` on a synthetic registry file of 2,000,000 rows in the real layout: rows per second and the
loading process's peak memory (its own ``ru_maxrss``, read as a child of this process).

The file is made of the sample web's registry answers and filler rows of the kinds a real file is mostly made of
(sample_web/npi_bulk.py): dentists, pharmacies, family doctors, one in twenty a psychiatrist, anesthesiologist or
nurse anesthetist, one in fifty deactivated. About 2 GB uncompressed, like a sixth of a real monthly file.

    python -m benchmarks.npi_load [--rows 2000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.results_file import write_results
from sample_web.npi_bulk import filler_rows, rows_of, write_zip

ROOT = Path(__file__).resolve().parent.parent
TARGET_RSS_MB = 300


def make_file(folder: Path, rows: int) -> Path:
    records = json.loads((ROOT / "sample_web" / "api" / "npi_results.json").read_text())
    firsts, places, names = [], [], []
    for record in records:
        row, pl, other = rows_of(record)
        firsts.append(row)
        places += pl
        names += other
    path = folder / "NPPES_Data_Dissemination_November_2026.zip"
    end = date.today()
    write_zip(path, date(2005, 5, 23), end, (r for rows_ in (firsts, filler_rows(rows - len(firsts))) for r in rows_),
              places, names)
    return path


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--keep", type=Path, help="a folder to keep the file and database in")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="npi-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    path = make_file(folder, args.rows)
    made_s = time.perf_counter() - started
    db_path = folder / "registry.db"
    db_path.unlink(missing_ok=True)
    clinics = Path(sys.executable).parent / "clinics"
    started = time.perf_counter()
    done = subprocess.run([str(clinics), "npi", "load", str(path), "--db", str(db_path)], capture_output=True,
                          text=True)
    load_s = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"npi load failed: {done.stderr[-2000:]}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results = {
        "rows": args.rows, "file_mb_compressed": round(path.stat().st_size / 2**20, 1),
        "file_made_s": round(made_s, 1), "load_s": round(load_s, 1), "rows_per_s": round(args.rows / load_s),
        "peak_rss_mb": round(peak_mb, 1), "target_rss_mb": TARGET_RSS_MB, "said": done.stdout.strip(),
    }
    print(f"npi load: {args.rows:,} rows ({results['file_mb_compressed']} MB zipped) in {load_s:.1f} s = "
          f"{results['rows_per_s']:,} rows/s; peak RSS {peak_mb:.0f} MB (goal under {TARGET_RSS_MB} MB: "
          f"{'met' if peak_mb < TARGET_RSS_MB else 'NOT met'})")
    print(f"  {done.stdout.strip()}")
    write_results("npi-load", results)
    return results


if __name__ == "__main__":
    main()
