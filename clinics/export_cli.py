"""``clinics export``: the database in other projects' formats, starting with HSDS 3.0 for referral systems.

A group of its own, registered at the end of clinics/cli.py, so a new format is a subcommand here and never an
edit there.
"""

from __future__ import annotations

import click

from clinics.options import db_option


@click.group()
def export() -> None:
    """Write the database in a standard format for other systems to read."""


@export.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@db_option
def hsds(out_dir: str, db_path: str) -> None:
    """Write an HSDS 3.0 export (one JSON file per table, and datapackage.json) into OUT_DIR.

    Merged and removed clinics are left out; docs/hsds.md gives the field mapping and what stays in the database."""
    from clinics.hsds import ExportError, export_hsds

    try:
        result = export_hsds(db_path, out_dir)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    click.echo(result.summary())
