"""`clinics serve` as an operator runs it: the address to listen on, Datasette's own options passed through, and
nothing left behind by a restart."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from click.testing import CliRunner

from clinics.cli import cli


def started(monkeypatch, *arguments: str) -> list[str]:
    """The Datasette command line `clinics serve` would exec."""
    run: list[list[str]] = []
    monkeypatch.setattr("os.execvp", lambda program, argv: run.append(argv))
    result = CliRunner().invoke(cli, ["serve", *arguments])
    assert result.exit_code == 0, result.output
    return run[0]


def test_host_port_and_datasette_options_reach_datasette(demo_db, monkeypatch):
    argv = started(monkeypatch, "--db", str(demo_db), "--host", "0.0.0.0", "--port", "9001",
                   "--", "--setting", "max_returned_rows", "500")
    assert argv[argv.index("--host") + 1] == "0.0.0.0" and argv[argv.index("--port") + 1] == "9001"
    assert argv[-3:] == ["--setting", "max_returned_rows", "500"], "Datasette's own options come last, so they win"
    default = started(monkeypatch, "--db", str(demo_db))
    assert default[default.index("--host") + 1] == "127.0.0.1", "loopback unless asked"


def test_a_restart_leaves_no_new_temporary_folder(demo_db, monkeypatch):
    before = set(Path(tempfile.gettempdir()).glob("clinics-datasette-*"))
    first = started(monkeypatch, "--db", str(demo_db))
    second = started(monkeypatch, "--db", str(demo_db))
    metadata = Path(first[first.index("--metadata") + 1])
    assert metadata == Path(second[second.index("--metadata") + 1]) and json.loads(metadata.read_text())["databases"]
    assert len(set(Path(tempfile.gettempdir()).glob("clinics-datasette-*")) - before) <= 1, "one folder, reused"
