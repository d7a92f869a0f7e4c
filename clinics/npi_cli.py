"""``clinics npi``: the NPPES registry in bulk, for discovery of a state or the whole country without asking the
NPI Registry API ZIP by ZIP (which answers at most 1,200 records a query, at the polite delay)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from clinics.options import db_option


@click.group()
def npi() -> None:
    """The NPI Registry in bulk: load CMS's monthly and weekly files, see what is loaded."""


def _states(ctx, param, values: tuple[str, ...]) -> set[str] | None:
    from parsers.vocab import STATE_CODES

    states = {v.strip().upper() for value in values for v in value.split(",") if v.strip()}
    unknown = sorted(states - STATE_CODES)
    if unknown:
        raise click.BadParameter(f"not a state's two-letter code: {', '.join(unknown)}", param=param)
    return states or None


@npi.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--state", "states", multiple=True, callback=_states, metavar="XX",
              help="Keep only NPIs practising in these states (repeatable, or comma-separated); default every state. "
                   "Weekly files keep the states of the monthly file they update.")
def load(file: str, db_path: str, states: set[str] | None) -> None:
    """Load a monthly full file (NPPES_Data_Dissemination_<Month>_<Year>.zip) or apply a weekly update
    (NPPES_Data_Dissemination_<MMDDYY>_<MMDDYY>_Weekly.zip) after it.

    Only the NPIs the directory may need are kept: organisations whose taxonomy or names look like ketamine care,
    and the clinicians (psychiatry, anesthesiology, nurse anesthetists...) who may treat at one. `clinics crawl`
    then reads the region's NPIs from here instead of the API while the registry is fresher than --npi-max-age."""
    from clinics.lock import DatabaseLocked, RunLock
    from clinics.npi_load import PROGRESS_EVERY, BulkFileError, load_bulk_file
    from crawlers.settings import NPI_CLINICIAN_TAXONOMIES
    from db.schema import open_db

    try:
        with RunLock(db_path):
            db = open_db(db_path)
            result = load_bulk_file(db, file, states, tuple(NPI_CLINICIAN_TAXONOMIES), _progress_line())
    except (BulkFileError, DatabaseLocked) as error:
        click.echo(f"npi load: {error}", err=True)
        sys.exit(2)
    if result.rows_read >= PROGRESS_EVERY and sys.stderr.isatty():
        click.echo("\r" + " " * 40 + "\r", nl=False, err=True)  # the progress line gives way to the summary
    click.echo(result.summary())


def _progress_line():
    """On a terminal, the rows read so far, rewritten in place; elsewhere (cron, a pipe) nothing."""
    if not sys.stderr.isatty():
        return None
    return lambda rows: click.echo(f"\r{rows:,} rows read ...", nl=False, err=True)


@npi.command()
@db_option
def status(db_path: str) -> None:
    """What the loaded registry covers, how old it is, and the files applied."""
    from db import registry
    from db.schema import open_db

    db = open_db(db_path)
    found = registry.coverage(db)
    if found is None:
        click.echo("no registry loaded: `clinics crawl` asks the NPI Registry API ZIP by ZIP")
        return
    age = found.age_days(datetime.now(UTC).date())
    click.echo(f"registry: {found.describe()} ({age} days old); "
               f"{db['registry_npi'].count:,} NPIs, {db['registry_locations'].count:,} practice locations")
    for load in db.query("select * from registry_loads order by id"):
        click.echo(f"  {load['loaded_at']}  {load['kind']:<7} {load['file']}: {load['period_start']} to "
                   f"{load['period_end']}, {load['kept']:,} kept, {load['removed']:,} removed")
