"""The layers import one way: the command line (`clinics/`) sits on the crawler, the database and the parsers,
and none of them reaches back up into it; the domain core (`core/`) needs neither a database nor Scrapy."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_packages(folder: str) -> dict[str, set[str]]:
    """Top-level package of every import in the folder's modules, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_nothing_below_the_command_line_imports_it():
    for folder in ("crawlers", "db", "parsers", "core"):
        offenders = {path: names for path, names in imported_packages(folder).items() if "clinics" in names}
        assert not offenders, f"{folder} imports the command-line package: {offenders}"


def test_the_core_needs_no_database_and_no_crawler():
    for path, names in imported_packages("core").items():
        assert not names & {"db", "crawlers", "scrapy", "sqlite_utils", "sqlite3", "datasette"}, (path, names)


def test_the_parsers_are_pure():
    for path, names in imported_packages("parsers").items():
        assert not names & {"db", "crawlers", "core", "scrapy", "sqlite_utils", "sqlite3", "datasette"}, (path, names)
