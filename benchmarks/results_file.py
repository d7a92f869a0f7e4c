"""Where every benchmark writes its figures: benchmarks/results/<name>-<time>.json, to compare runs later."""

from __future__ import annotations

import json
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_results(name: str, results: dict) -> Path:
    """Write ``results`` as JSON and say where (relative to the project root)."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten: {out.relative_to(RESULTS.parent.parent)}")
    return out
