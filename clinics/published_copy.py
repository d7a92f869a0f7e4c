"""A published copy: an immutable, read-only snapshot of the working database, made for serving to the public.

The crawl keeps writing the working database; the public site serves a copy nobody writes, so Datasette can
serve it immutable (``-i``): counted once, cached freely, and downloadable whole at ``/clinics.db``.

    OUT_DIR/
      .clinics-publish          marks the folder as a publish: any other non-empty folder is refused
      builds/<UTC stamp>/       one folder per publish: clinics.db, metadata.json, counts.json, build.json,
                                SHA256SUMS (``sha256sum -c SHA256SUMS`` checks it)
      current -> builds/...     switched in one rename once the new build is complete and checked

A publish that fails removes its own unfinished build and leaves ``current`` where it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MARKER = ".clinics-publish"
DATABASE = "clinics.db"  # served as the database "clinics", the name the metadata and the pages use
KEEP_BUILDS = 2  # the current build and the one before it, for a server still reading the old file
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What the public copy leaves out: page bodies are the clinics' own pages (only short quotations are published),
# and the names and addresses of the people who sent or decided corrections are theirs. The registry loaded in bulk
# is the crawl's input, CMS's to publish (hundreds of MB for the country): each clinic keeps what it took from it;
# registry_loads still says which files the crawl read.
SCRUB_SQL = (
    "update pages set body = null",
    "delete from registry_locations",
    "delete from registry_npi",
    "update corrections set submitted_by = null, decided_by = null",
    "update identity_decisions set decided_by = null",
)


class PublishError(Exception):
    """A publish that could not be made; the previous published copy is still served."""


@dataclass
class Build:
    """One published copy: its folder and what build.json says about it."""

    folder: Path
    info: dict

    @property
    def database(self) -> Path:
        return self.folder / DATABASE

    @property
    def metadata(self) -> Path:
        return self.folder / "metadata.json"

    @property
    def counts(self) -> Path:
        return self.folder / "counts.json"


def publish(db_path: str, out_dir: str, contact: str | None = None, now: datetime | None = None) -> Build:
    """Copy ``db_path`` into a new build under ``out_dir``, check it, then switch ``current`` to it."""
    source, out = Path(db_path), Path(out_dir)
    if not source.is_file():
        raise PublishError(f"no database at {source}; run 'clinics crawl' (or 'clinics demo --no-serve') first")
    _claim(out)
    started = time.monotonic()
    built_at = (now or datetime.now(UTC)).replace(microsecond=0)
    folder = _new_build_folder(out, built_at)
    try:
        database = folder / DATABASE
        _copy(source, database)
        figures = _prepare(database)
        info = {"built_at": built_at.isoformat().replace("+00:00", "Z"), "commit": source_commit(),
                **figures, "bytes": database.stat().st_size, "sha256": _sha256(database)}
        _write_counts(database, folder / "counts.json")
        _write_metadata(folder, info, contact)
        info["seconds"] = round(time.monotonic() - started, 2)
        (folder / "build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        _write_checksums(folder)
        for path in folder.iterdir():
            path.chmod(0o444)
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, PublishError | sqlite3.Error | OSError | subprocess.SubprocessError):
            current = out / "current"
            kept = f"{current} still points to the previous copy" if current.exists() else "nothing changed"
            raise PublishError(f"publish failed ({kept}): {error}") from error
        raise
    _switch_current(out, folder)
    _prune(out)
    return Build(folder, info)


def find_build(path: str) -> Build:
    """The build to serve: ``path`` is a publish folder (its ``current``) or one build folder."""
    folder = Path(path)
    if (folder / "current").exists():
        folder = (folder / "current").resolve()
    if not (folder / "build.json").is_file() or not (folder / DATABASE).is_file():
        raise PublishError(f"{path} is not a published copy (no build.json and {DATABASE}); "
                           "make one with 'clinics publish DIR'")
    return Build(folder, json.loads((folder / "build.json").read_text(encoding="utf-8")))


def source_commit() -> str | None:
    """The commit the code was built from: CLINICS_COMMIT (set where there is no checkout, e.g. an image), else
    the checkout's HEAD with "-dirty" when it has uncommitted changes, else None."""
    if os.environ.get("CLINICS_COMMIT"):
        return os.environ["CLINICS_COMMIT"]
    if not (PROJECT_ROOT / ".git").exists():
        return None
    git = lambda *args: subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True,  # noqa: E731
                                       text=True, timeout=10)
    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def _claim(out: Path) -> None:
    """An empty or missing folder becomes a publish; a previous publish is reused; anything else is refused,
    so a typo never mixes builds into (or prunes) someone's folder."""
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise PublishError(f"{out} is not empty and is not a previous publish (no {MARKER} in it); "
                           "choose an empty folder or a new path")
    (out / "builds").mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by 'clinics publish': builds/ holds the copies, current the one served\n",
                              encoding="utf-8")


def _new_build_folder(out: Path, built_at: datetime) -> Path:
    stamp = built_at.strftime("%Y%m%dT%H%M%SZ")
    for suffix in ["", *(f"-{n}" for n in range(2, 100))]:
        folder = out / "builds" / (stamp + suffix)
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise PublishError(f"too many builds stamped {stamp}")


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup from a read-only connection: a consistent snapshot even while a crawl writes,
    and the working database is never written (not even its WAL checkpointed)."""
    reader = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.execute("pragma busy_timeout = 30000")
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _prepare(database: Path) -> dict:
    """Everything a reader's first request would otherwise pay for: the full shape (indexes, views, FTS),
    the front door's facet counts, the FTS index merged, the planner's statistics; then scrubbed, compacted,
    and checked."""
    import sqlite_utils

    from db.build import write_facet_counts
    from db.schema import ensure_db_shape

    db = sqlite_utils.Database(database)
    try:
        ensure_db_shape(db)
        with db.conn:
            for sql in SCRUB_SQL:
                db.execute(sql)
            write_facet_counts(db)
        db.execute("insert into clinics_fts(clinics_fts) values ('rebuild')")
        db.execute("insert into clinics_fts(clinics_fts) values ('optimize')")
        db.execute("analyze")
        db.execute("pragma journal_mode = delete")  # one file: nothing beside it for an immutable server to miss
        db.execute("vacuum")
        problems = [row[0] for row in db.execute("pragma integrity_check").fetchall()]
        if problems != ["ok"]:
            raise PublishError(f"the copy failed SQLite's integrity check: {problems[:3]}")
        return {
            "clinics": db.execute("select count(*) from clinics where status not in ('merged', 'removed')").fetchone()[0],
            "regions": [r[0] for r in db.execute("select distinct region from clinics where region is not null "
                                                 "order by region").fetchall()],
            "last_crawl": db.execute("select max(finished_at) from crawl_runs where profile != 'reparse'").fetchone()[0],
        }
    finally:
        db.close()


def _write_counts(database: Path, counts: Path) -> None:
    """Datasette's own ``inspect``: the file's hash and every table's row count, read by ``--inspect-file`` so
    no table page counts 100,000 rows."""
    done = subprocess.run([sys.executable, "-m", "datasette", "inspect", str(database), "--inspect-file",
                           str(counts)], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise PublishError(f"datasette inspect failed: {done.stderr.strip()[-500:]}")


def _write_metadata(folder: Path, info: dict, contact: str | None) -> None:
    """The site's metadata with the build's own facts: when, from which commit, from which crawl."""
    from clinics.serving import metadata_for

    metadata = metadata_for(str(folder / DATABASE), contact)
    metadata.setdefault("plugins", {}).setdefault("clinic_directory", {})["published"] = info
    commit = info["commit"] or "an unknown commit"
    metadata["databases"]["clinics"]["description"] = (
        f"A published copy, built {info['built_at']} from {commit}, of the crawl last run "
        f"{info['last_crawl'] or 'never'}: read-only, and downloadable whole. Facts are re-read on every crawl; "
        "nothing is deleted.")
    (folder / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")


def _write_checksums(folder: Path) -> None:
    """SHA256SUMS in sha256sum's own format, so a downloader checks the database with ``sha256sum -c``."""
    lines = [f"{_sha256(path)}  {path.name}\n" for path in sorted(folder.iterdir()) if path.name != "SHA256SUMS"]
    (folder / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _switch_current(out: Path, folder: Path) -> None:
    """A new symlink renamed over the old one: a reader sees the old build or the new, never neither."""
    link = out / f".current-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(folder.relative_to(out))
    os.replace(link, out / "current")


def _prune(out: Path) -> None:
    """Builds beyond the newest KEEP_BUILDS are removed (their files are read-only, the folders are not)."""
    current = (out / "current").resolve()
    builds = sorted((p for p in (out / "builds").iterdir() if p.is_dir()), reverse=True)
    for old in builds[KEEP_BUILDS:]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
