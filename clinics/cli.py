"""The ``clinics`` command: every user-facing job, with consistent option names across commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DEFAULT_DB = "data/clinics.db"


@click.group()
@click.version_option(package_name="ketamine-clinic-directory")
def cli() -> None:
    """Ketamine clinic directory: crawl public listings by region, extract facts, publish with Datasette."""


@cli.command()
@click.argument("source", type=click.File("rb"))
@click.option("--url", help="The page's URL, recorded as the source of every fact.")
@click.option("--explain", is_flag=True, help="Also list terms found but not counted as facts, and why.")
def extract(source, url: str | None, explain: bool) -> None:
    """Print the facts in one page (HTML or text; '-' reads stdin) as JSON."""
    from parsers.extract import extract_page

    content = source.read()
    result = extract_page(content, url=url or (None if source.name == "<stdin>" else Path(source.name).resolve().as_uri()))
    json.dump(result.to_json(explain=explain), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
