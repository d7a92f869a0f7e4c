"""`make bench-scale`: the national-scale figures together. `npi load` on a 2,000,000-row registry file, then the
10,000-page crawl in one process and with 1 and 2 workers, then a projection of a national crawl that uses both
measured rates (benchmarks/npi_load.py, benchmarks/workers.py)."""

from __future__ import annotations

import sys

from benchmarks import npi_load, workers


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    loaded = npi_load.main([a for a in argv if a.startswith("--rows")])
    workers.main(["--registry-rows-per-s", str(loaded["rows_per_s"])])


if __name__ == "__main__":
    main()
