"""How a database is served: Datasette's arguments, with the project's metadata and limits.

The metadata is written for a database named ``clinics``; a file with another name (``--db other.db``)
gets the same metadata under its own name, so descriptions, facets and canned queries follow it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import yaml

from datasette_config.plugins.clinic_view import PLUGIN
from parsers.kinds import FLAGS

CONFIG = Path(__file__).resolve().parent.parent / "datasette_config"
# Suggested facets run a query per column on every table page: seconds at 100,000 clinics (make bench).
SETTINGS = {"sql_time_limit_ms": 1000, "default_page_size": 50, "facet_time_limit_ms": 500, "suggest_facets": False}


def settings(allow_sql: bool = False) -> dict:
    """Datasette's settings for the site. Arbitrary SQL is off unless asked for (``--allow-sql``): one reader's
    slow queries would stall every other reader's pages; the canned queries answer what the site is for."""
    return {**SETTINGS, "default_allow_sql": allow_sql}


def metadata_for(db_path: str, contact: str | None = None) -> dict:
    """The site's metadata; ``contact``, the address readers' reports go to, is the plugin's setting
    (``plugins.clinic_directory.contact``, shown in /-/metadata too), read by the clinic page."""
    metadata = yaml.safe_load((CONFIG / "metadata.yml").read_text(encoding="utf-8"))
    _describe_fact_kinds(metadata["databases"]["clinics"]["tables"]["clinics"])
    name = Path(db_path).stem
    if name != "clinics":
        metadata["databases"] = {name: metadata["databases"]["clinics"]}
    if contact:
        metadata.setdefault("plugins", {})[PLUGIN] = {"contact": contact}
    return metadata


def _describe_fact_kinds(clinics_table: dict) -> None:
    """Each yes/no kind's column description and facet come from its declaration (parsers/kinds.py), after the
    facets metadata.yml lists."""
    clinics_table["columns"].update({kind.key: kind.meaning for kind in FLAGS})
    clinics_table["facets"] += [{"counted": kind.key} for kind in FLAGS if kind.facet]


def datasette_args(db_path: str, port: int, allow_sql: bool = False, contact: str | None = None,
                   host: str = "127.0.0.1", extra: tuple[str, ...] = ()) -> list[str]:
    """Datasette's command line for serving the working database ``db_path`` (mutable: a crawl may be writing
    it); ``extra`` (Datasette's own options) goes last."""
    metadata_file = _write_metadata(db_path, metadata_for(db_path, contact), contact)
    # The project's pages, functions and facet come from its installed Datasette plugin (datasette_config).
    return [*_serve_args([db_path], metadata_file, host, port, allow_sql), *extra]


def published_args(build, port: int, allow_sql: bool = False, contact: str | None = None, host: str = "127.0.0.1",
                   extra: tuple[str, ...] = ()) -> list[str]:
    """Datasette's command line for a published copy (clinics/published_copy.py Build): immutable, so Datasette
    offers the whole file for download, with the row counts publish measured and the metadata it wrote."""
    metadata = json.loads(build.metadata.read_text(encoding="utf-8"))
    if contact:
        metadata.setdefault("plugins", {}).setdefault(PLUGIN, {})["contact"] = contact
    metadata_file = _write_metadata(str(build.database), metadata, contact)
    args = _serve_args(["-i", str(build.database), "--inspect-file", str(build.counts)], metadata_file, host, port,
                       allow_sql)
    return [*args, *extra]


def _serve_args(databases: list[str], metadata_file: Path, host: str, port: int, allow_sql: bool) -> list[str]:
    args = ["serve", *databases, "--host", host, "--port", str(port), "--metadata", str(metadata_file)]
    for name, value in settings(allow_sql).items():
        args += ["--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return args


def _write_metadata(db_path: str, metadata: dict, contact: str | None) -> Path:
    metadata_file = metadata_path(db_path, contact)
    metadata_file.write_text(json.dumps(metadata), encoding="utf-8")
    return metadata_file


def metadata_path(db_path: str, contact: str | None = None) -> Path:
    """One metadata file per database (and contact) served, rewritten at every start: a restart leaves nothing
    behind (it was a new temporary folder each time). It lives in the system's temporary folder, so a database
    in a read-only folder can be served; two copies served at once with different contacts keep their own."""
    folder = Path(tempfile.gettempdir()) / f"clinics-datasette-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    digest = hashlib.sha256(f"{Path(db_path).resolve()}\n{contact or ''}".encode()).hexdigest()[:16]
    return folder / f"{Path(db_path).stem}-{digest}.metadata.json"
