"""The README's crontab line and systemd units are real: their exact commands run and succeed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sample_web.server import DEFAULT_ROOT, RunningSampleWeb

README = (Path(__file__).parent.parent / "README.md").read_text()


def block(name: str) -> str:
    match = re.search(rf"<!-- {name}:begin -->\n```\w*\n(.*?)```\n<!-- {name}:end -->", README, re.S)
    assert match, f"README has no {name} block"
    return match.group(1).strip()


@pytest.fixture
def install(tmp_path):
    """A stand-in for /path/to/repo: the same virtual environment, an empty data directory."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return root


@pytest.fixture(scope="module")
def healthy_web(tmp_path_factory):
    root = tmp_path_factory.mktemp("web") / "sample_web"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__", "_site.json"))
    with RunningSampleWeb(root) as web:
        yield web


def run_documented(command: str, install: Path, web) -> subprocess.CompletedProcess:
    command = command.replace("/path/to/repo", str(install))
    env = {**os.environ, "CLINICS_SAMPLE_WEB": web.api_base}
    return subprocess.run(shlex.split(command), env=env, capture_output=True, text=True, timeout=300, check=False,
                          cwd=os.path.expanduser("~"))


def test_crontab_line_runs_quietly_and_fills_the_database(install, healthy_web):
    line = block("cron")
    fields = line.split(None, 5)
    assert len(fields) == 6 and fields[:5] == ["17", "3", "*", "*", "*"]
    done = run_documented(fields[5], install, healthy_web)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "" and done.stderr == "", "cron mails any output: a good run prints nothing"
    db = sqlite3.connect(install / "data" / "clinics.db")
    assert db.execute("select count(*) from clinics").fetchone()[0] >= 12
    assert (install / "data" / "crawl.log").stat().st_size > 0


def test_systemd_units_name_the_same_working_command(install, healthy_web):
    service, timer = block("systemd-service"), block("systemd-timer")
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.M).group(1)
    assert "Type=oneshot" in service and "SuccessExitStatus=1" in service
    assert re.search(r"^OnCalendar=\S", timer, re.M) and "Persistent=true" in timer
    done = run_documented(exec_start, install, healthy_web)
    assert done.returncode == 0, done.stdout + done.stderr
