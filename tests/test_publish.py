"""`clinics publish` and `clinics serve --published` as an operator runs them: a read-only copy that serves and
downloads whole, a working database left as it was, and a failed publish that leaves the served copy alone."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinics import published_copy
from clinics.cli import cli
from clinics.published_copy import KEEP_BUILDS, find_build
from tests.servers import free_port, running


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _publish(db: Path, out: Path, *extra: str):
    return CliRunner().invoke(cli, ["publish", "--db", str(db), str(out), *extra])


@pytest.fixture(scope="module")
def published(demo_db, tmp_path_factory):
    """One publish of the demo database, with the working file's hash and times before it."""
    out = tmp_path_factory.mktemp("site") / "public"
    before = (_sha256(demo_db), demo_db.stat().st_mtime_ns)
    result = _publish(demo_db, out)
    assert result.exit_code == 0, result.output
    return out, before


def test_publish_makes_a_checked_read_only_copy_and_leaves_the_working_database_alone(demo_db, published):
    out, (hash_before, mtime_before) = published
    assert (_sha256(demo_db), demo_db.stat().st_mtime_ns) == (hash_before, mtime_before)
    build = find_build(str(out))
    assert (out / "current").is_symlink() and build.folder.parent == out / "builds"
    for line in (build.folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert _sha256(build.folder / name) == digest, name
    assert {p.name for p in build.folder.iterdir()} == {"clinics.db", "metadata.json", "counts.json", "build.json",
                                                         "SHA256SUMS"}
    assert not os.access(build.database, os.W_OK) or os.geteuid() == 0, "files are read-only"
    assert oct(build.database.stat().st_mode)[-3:] == "444"
    info = build.info
    assert info["clinics"] > 0 and info["built_at"].endswith("Z") and info["sha256"] == _sha256(build.database)
    assert info["regions"] == ["Orange County, CA", "Travis County, TX"]


def test_the_copy_is_ready_to_serve_and_holds_nothing_private(demo_db, published):
    copy = sqlite3.connect(f"file:{find_build(str(published[0])).database}?mode=ro", uri=True)
    working = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    assert copy.execute("pragma journal_mode").fetchone()[0] == "delete", "one file, no WAL beside it"
    assert copy.execute("select count(*) from pages where body is not null").fetchone()[0] == 0
    assert working.execute("select count(*) from pages where body is not null").fetchone()[0] > 0
    assert copy.execute("select count(*) from facet_counts where \"column\" = 'region'").fetchone()[0] == 2
    assert copy.execute("select count(*) from sqlite_stat1").fetchone()[0] > 0, "ANALYZE ran"
    matched = copy.execute("select count(*) from clinics_fts where clinics_fts match 'ptsd'").fetchone()[0]
    assert matched == working.execute("select count(*) from clinics_fts where clinics_fts match 'ptsd'").fetchone()[0]
    assert copy.execute("select count(*) from clinics").fetchone() == working.execute(
        "select count(*) from clinics").fetchone()


def test_a_second_publish_switches_current_and_old_builds_are_pruned(demo_db, tmp_path):
    out = tmp_path / "public"
    folders = []
    for _ in range(KEEP_BUILDS + 1):
        assert _publish(demo_db, out).exit_code == 0
        folders.append((out / "current").resolve())
        time.sleep(0.01)
    assert len(set(folders)) == KEEP_BUILDS + 1, "each publish is a new build"
    kept = sorted(p.name for p in (out / "builds").iterdir())
    assert kept == sorted(f.name for f in folders[-KEEP_BUILDS:]), "the current build and the one before it"


def test_a_failed_publish_leaves_the_served_copy_in_place(demo_db, tmp_path, monkeypatch):
    out = tmp_path / "public"
    assert _publish(demo_db, out).exit_code == 0
    served = (out / "current").resolve()

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(published_copy, "_write_counts", broken)
    result = _publish(demo_db, out)
    assert result.exit_code == 2 and "disk full" in result.output and "previous copy" in result.output
    assert (out / "current").resolve() == served and list((out / "builds").iterdir()) == [served]


def test_a_folder_that_is_not_a_publish_is_refused(demo_db, tmp_path):
    someone = tmp_path / "home"
    someone.mkdir()
    (someone / "notes.txt").write_text("mine")
    result = _publish(demo_db, someone)
    assert result.exit_code == 2 and "not empty and is not a previous publish" in result.output
    assert [p.name for p in someone.iterdir()] == ["notes.txt"], "nothing written into it"
    missing = _publish(tmp_path / "none.db", tmp_path / "out")
    assert missing.exit_code == 2 and "no database at" in missing.output


def test_serve_published_refuses_a_folder_that_is_not_one(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--published", str(tmp_path)])
    assert result.exit_code == 2 and "not a published copy" in result.output


def test_the_served_copy_downloads_whole_and_says_so_on_the_home_page(published):
    """The bar: `clinics publish` then serving the copy gives a downloadable database, as a user starts it."""
    out = published[0]
    port = free_port()
    command = [str(Path(sys.executable).parent / "clinics"), "serve", "--published", str(out), "--port", str(port), "--",
               "--setting", "max_returned_rows", "200"]
    with running(command, port) as base:
        with urllib.request.urlopen(base + "/clinics.db", timeout=30) as response:
            downloaded = response.read()
        assert hashlib.sha256(downloaded).hexdigest() == find_build(str(out)).info["sha256"]
        home = urllib.request.urlopen(base + "/", timeout=10).read().decode()
        assert 'href="/clinics.db"' in home and find_build(str(out)).info["sha256"] in home
        settings = urllib.request.urlopen(base + "/-/settings.json", timeout=10).read().decode()
        assert '"max_returned_rows": 200' in settings, "Datasette's own options pass through"
