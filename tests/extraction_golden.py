"""The facts every labelled corpus page and every sample-web page gives, kept so that a speed change can prove
it changed none of them (tests/test_extraction_stable.py).

After a change that is meant to change facts (an accuracy fix, measured by `make eval`), write the new facts
and commit them with it, so the diff shows what moved:

    .venv/bin/python -m tests.extraction_golden --update
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from parsers.extract import extract_facts

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "extraction_golden.json.gz"


def pages() -> list[Path]:
    return sorted([*ROOT.glob("tests/corpus/*/*.html"), *ROOT.glob("tests/corpus/*/*.txt"),
                   *ROOT.glob("sample_web/sites/**/*.html"), *ROOT.glob("sample_web/sites/**/*.txt")])


def facts_of(page: Path) -> dict:
    """The page's facts as stored, through JSON (tuples become lists), at a fixed URL of its own."""
    facts = extract_facts(page.read_bytes(), url=f"https://clinic.example/{page.parent.name}/{page.stem}/")
    return json.loads(json.dumps(facts, sort_keys=True))


def current() -> dict[str, dict]:
    return {page.relative_to(ROOT).as_posix(): facts_of(page) for page in pages()}


def kept() -> dict[str, dict]:
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


def write() -> int:
    facts = current()
    # mtime 0: the same facts give the same bytes, so an unchanged file stays unchanged in git
    GOLDEN.write_bytes(gzip.compress(json.dumps(facts, sort_keys=True, indent=0).encode(), mtime=0))
    return len(facts)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    print(f"wrote the facts of {write()} pages to {GOLDEN.relative_to(ROOT)}")
