"""Options every command spells the same way, in a module of their own so a command group outside clinics/cli.py
(clinics/export_cli.py) shares them without importing the command line in a circle."""

from __future__ import annotations

import click

DEFAULT_DB = "data/clinics.db"
db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="The SQLite database to write or read.")
